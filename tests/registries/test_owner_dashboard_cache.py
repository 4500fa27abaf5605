"""registries:dashboard — each gift's card comes from the fragment cache, and every change shows at once."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from apps.items import services as gift_services
from apps.items.models import Item
from apps.registries.models import Registry
from apps.reservations import services as reservations

pytestmark = pytest.mark.django_db


def _card(owner_client, registry, item) -> str:
    """The dashboard's card of ``item``, as the couple's next load shows it."""
    html = owner_client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()
    match = re.search(rf'<li class="gift[^"]*" id="item-{item.pk}".*?</li>', html, re.S)
    assert match, f"no card for {item}"
    return match.group(0)


@pytest.fixture
def dashboard(owner_client, registry, items):
    Registry.objects.filter(pk=registry.pk).update(spoilers=Registry.Spoilers.ALL)
    return lambda item: _card(owner_client, registry, item)


def test_an_unchanged_card_comes_from_the_cache(dashboard, items):
    teapot = items[0]
    assert "Teapot" in dashboard(teapot)
    # Changed behind the services' back (no cache_version bump): the cached card is shown.
    Item.objects.filter(pk=teapot.pk).update(title="Kettle")
    assert "Teapot" in dashboard(teapot)


def test_each_change_to_a_gift_shows_on_the_next_load(dashboard, items):
    teapot, hammock, _ = items
    card = dashboard(hammock)
    assert "0 reserved" in card and "2 left" in card and "See who" not in card

    reservations.reserve(hammock.pk, 1, "Kim", "kim@example.com")
    card = dashboard(hammock)
    assert "1 reserved" in card and "1 left" in card and "See who" in card

    hammock.refresh_from_db()
    hammock.title = "Garden hammock"
    gift_services.update_item(hammock)
    assert "Garden hammock" in dashboard(hammock)

    gift_services.set_received_elsewhere(hammock, 1)
    assert "1 received off the registry" in dashboard(hammock)

    gift_services.set_hidden(hammock, True)
    card = dashboard(hammock)
    assert "gift--hidden" in card and ">Show</button>" in card

    # Moved to the top: its "up" button is off, and the teapot's is on.
    assert "disabled" in dashboard(teapot).split("↑")[0]
    gift_services.move_item(hammock, "up")
    assert "disabled" in dashboard(hammock).split("↑")[0]
    assert "disabled" not in dashboard(teapot).split("↑")[0]


def test_a_guest_marked_thanked_through_the_page_shows_thanked_on_the_next_load(couple, registry, items):
    Registry.objects.filter(pk=registry.pk).update(spoilers=Registry.Spoilers.ALL)
    reservations.reserve(items[0].pk, 1, "Kim", "kim@example.com")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(couple)
    url = reverse("registries:dashboard", args=[registry.slug])
    html = browser.get(url).content.decode()
    # The rows (cached) hold no CSRF token: the page's one form carries it for every button.
    rows = html[html.index("<tbody>", html.index('id="reservations"')) : html.index("</tbody>")]
    assert "csrfmiddlewaretoken" not in rows
    form = re.search(r'<form id="thanked-actions" method="post">(.*?)</form>', html, re.S).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    button = re.search(
        r'<button class="btn btn-small" type="submit" form="thanked-actions" formaction="([^"]+)">', rows
    )
    assert button and ">Mark thanked</button>" in rows

    response = browser.post(button.group(1), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    rows = browser.get(url).content.decode()
    assert "Thanked Kim — undo" in rows and "Mark thanked" not in rows
