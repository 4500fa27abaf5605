"""The FAQ page (pages:faq)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.payments.models import Plan

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


def test_faq_answers_the_questions_couples_ask(get_page):
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


def test_faq_says_passphrase_protection_is_free(get_page):
    _, soup = get_page(reverse("pages:faq"))

    privacy = soup.find(id="privacy").get_text(" ", strip=True)
    assert "Protected : guests need a passphrase" in privacy
    assert "Premium" not in privacy
    assert "Privacy is never a paid extra" in privacy
    free = soup.find(id="free").get_text(" ", strip=True)
    assert "up to 30 gifts on an unlisted, public or passphrase-protected registry" in free


def test_faq_quotes_premium_from_the_plan_table(get_page):
    Plan.objects.filter(slug="premium").update(price=Decimal("42.00"))

    _, soup = get_page(reverse("pages:faq"))

    free = soup.find(id="free")
    assert "a single payment of $42.00 per registry" in free.get_text(" ", strip=True)
    premium = free.select_one('[data-plan-features="premium"]')
    assert [li.get_text(strip=True) for li in premium.select("li")] == [
        "Unlimited gifts",
        "Your own cover photo",
        "The CSV spreadsheet export of everything guests gave",
        "No Whisper branding in your guests’ emails",
    ]
