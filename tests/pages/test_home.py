"""The landing page (pages:home)."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.urls import Resolver404, resolve, reverse

from apps.payments.models import Plan

pytestmark = pytest.mark.django_db

HOME = "/"


def test_home_url_is_the_site_root():
    assert reverse("pages:home") == HOME


def test_home_tells_what_whisper_is(get_page):
    _, soup = get_page(HOME)

    assert soup.title.string.strip() == "Whisper — the gift registry that keeps it simple"
    assert soup.h1.get_text(strip=True) == "Whisper — the gift registry that keeps it simple"
    text = soup.get_text(" ", strip=True)
    for phrase in (
        "How it works",
        "Make your list",
        "Share one link",
        "Guests reserve, you relax",
        "No account, ever",
        "Reserved in a minute",
        "Managed from one email",
    ):
        assert phrase in text


def test_home_calls_to_action_lead_to_signup_and_search(get_page):
    _, soup = get_page(HOME)
    hero = soup.select_one(".hero")

    hrefs = [a["href"] for a in hero.select("a.btn")]
    assert reverse("accounts:signup") in hrefs
    assert reverse("registries:search") in hrefs


def test_home_search_box_gets_the_search_page_with_q(get_page):
    _, soup = get_page(HOME)

    form = soup.select_one("form[role=search]")
    assert form["action"] == reverse("registries:search") == "/search/"
    assert form["method"].lower() == "get"
    field = form.select_one("input[name=q]")
    assert field["type"] == "search"
    assert soup.select_one(f"label[for={field['id']}]") is not None
    # GET needs no CSRF token; the box must not carry one (it would leak into the URL).
    assert form.select_one("input[name=csrfmiddlewaretoken]") is None


def test_home_links_to_the_demo_registry_when_configured(get_page, settings):
    settings.WHISPER_DEMO_REGISTRY = "alex-and-sam"

    _, soup = get_page(HOME)

    link = soup.find("a", href="/r/alex-and-sam/")
    assert link is not None
    assert "Alex & Sam" in link.get_text()


def test_home_has_no_demo_link_without_a_demo_registry(get_page, settings):
    settings.WHISPER_DEMO_REGISTRY = ""

    response, soup = get_page(HOME)

    assert soup.find("a", href="/r/alex-and-sam/") is None
    assert "See a real registry" not in response.content.decode()


def test_every_link_and_asset_on_home_is_ours_and_resolves(get_page, settings, client):
    settings.WHISPER_DEMO_REGISTRY = "alex-and-sam"
    _, soup = get_page(HOME)

    for a in soup.find_all("a", href=True):
        href = a["href"]
        if href.startswith(("#", "mailto:")):
            continue
        assert href.startswith("/"), f"external link {href}"
        try:
            resolve(href.split("?")[0])
        except Resolver404:  # pragma: no cover - the assertion message is the point
            pytest.fail(f"{href} does not resolve")
    for tag, attr in (("img", "src"), ("link", "href"), ("script", "src")):
        for el in soup.find_all(tag, **{attr: True}):
            url = el[attr]
            if tag == "link" and el.get("rel") == ["manifest"]:
                assert client.get(url).status_code == 200, f"{url} does not answer"
                continue
            assert url.startswith(settings.STATIC_URL), f"{url} is not served by us"
            assert finders.find(url.removeprefix(settings.STATIC_URL)), f"{url} is missing"


def test_home_has_no_inline_styles_or_scripts(get_page):
    """A strict Content-Security-Policy comes later: nothing inline may depend on it."""
    _, soup = get_page(HOME)

    assert soup.find("style") is None
    assert soup.find(style=True) is None
    assert all(script.get("src") for script in soup.find_all("script"))
    for el in soup.find_all(True):
        assert not any(name.startswith("on") for name in el.attrs), el.name


def test_home_shows_the_owner_their_registries_link(client, couple):
    client.force_login(couple)

    response = client.get(HOME)

    assert response.status_code == 200
    assert reverse("registries:mine") in response.content.decode()


def test_home_answers_head_but_refuses_post(client):
    assert client.head(HOME).status_code == 200
    assert client.post(HOME, {"q": "x"}).status_code == 405


def test_home_quotes_the_plans_from_the_plan_table(get_page):
    Plan.objects.filter(slug="free").update(max_items=25)

    _, soup = get_page(HOME)

    text = soup.get_text(" ", strip=True)
    assert "Up to 25 gifts on the free plan" in text
    assert "Premium is a single payment of $39.00" in text
