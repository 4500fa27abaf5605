"""The FAQ page (pages:faq)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

QUESTIONS = [
    "Is Whisper free?",
    "Do our guests need an account?",
    "How does privacy work?",
    "What about spoilers?",
    "Can the two of us manage it?",
    "How do guests manage their reservation?",
    "What happens to our data?",
]


def test_faq_answers_the_questions_couples_ask_with_no_queries(get_page):
    _, soup = get_page(reverse("pages:faq"))

    headings = [h.get_text(strip=True) for h in soup.select(".faq__item h2")]
    for question in QUESTIONS:
        assert question in headings
    # Each answer is real text, not a stub.
    for item in soup.select(".faq__item"):
        assert len(item.get_text(" ", strip=True)) > 150, item.h2.get_text()


def test_faq_index_links_to_every_answer(get_page):
    _, soup = get_page(reverse("pages:faq"))

    ids = {item["id"] for item in soup.select(".faq__item")}
    targets = {a["href"].lstrip("#") for a in soup.select(".faq-index a")}
    assert targets == ids


def test_faq_quotes_how_long_the_guest_link_works(get_page, settings):
    settings.WHISPER_TOKEN_DAYS_AFTER_EVENT = 45

    _, soup = get_page(reverse("pages:faq"))

    answer = soup.find(id="guest-manage").get_text(" ", strip=True)
    assert "45 days after your event" in answer


def test_faq_refuses_post(client):
    assert client.post(reverse("pages:faq")).status_code == 405
