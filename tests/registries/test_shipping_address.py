"""The delivery address: only the owners and guests with a claim on the registry ever see it.

A crawler follows every same-site link from the pages each visitor can reach
(the public page, search, gift pages, the QR code and preview picture, manage
pages, CSVs) as an anonymous visitor, as a guest with a claim on another
couple's registry, and as another couple, and finds the address in no
response. The guest with a claim sees it on their page and in their mail.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from apps.registries.models import Registry
from apps.reservations import services
from apps.reservations.models import Reservation
from tests.factories import ItemFactory, RegistryFactory

ADDRESS = "17 Quinta do Sigilo, 4050-123 Porto"
SECRET = "Quinta do Sigilo"  # any part of it would leak it
LINK = re.compile(r"""(?:href|src|action)=["']([^"'#]+)""")
# Links that change something on GET are none; these only log out or leave the site.
SKIP = ("/static/", "/media/", "/admin/", "/accounts/logout/", "mailto:")


def crawl(client, start: list[str], limit: int = 400) -> dict[str, bytes]:
    """Every same-site page reachable from ``start`` by GET: path -> body (redirects followed as links)."""
    seen: dict[str, bytes] = {}
    queue = deque(start)
    while queue and len(seen) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver", "127.0.0.1:8000") or url.startswith(SKIP):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in seen or path.startswith(SKIP):
            continue
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen[path] = body
        if response.status_code in (301, 302):
            queue.append(response["Location"])
        if "html" in response.get("Content-Type", ""):
            for link in LINK.findall(body.decode(errors="replace")):
                queue.append(urljoin(path, link.replace("&amp;", "&")))
    return seen


@pytest.fixture
def shipping_registry(registry, items):
    registry.shipping, registry.shipping_address = Registry.Shipping.ADDRESS, ADDRESS
    registry.save()
    return registry


@pytest.fixture
def our_guest(client, shipping_registry, items):
    """A guest who reserved the teapot through the page, as guests do; their manage page path."""
    mail.outbox.clear()
    url = reverse("reservations:reserve", args=[shipping_registry.slug, items[0].pk])
    response = client.post(url, {"quantity": 1, "guest_name": "Robin", "guest_email": "robin@example.com"})
    assert response.status_code == 302
    return response["Location"]


@pytest.fixture
def elsewhere_guest(db):
    """A guest with a claim on a gift of another couple's registry, and that registry's slug."""
    other = RegistryFactory(slug="kim-and-lee", partner_one="Kim", partner_two="Lee")
    other.shipping, other.shipping_address = Registry.Shipping.ADDRESS, "1 Elsewhere Road"
    other.save()
    gift = ItemFactory(registry=other, title="Kettle")
    return services.reserve(gift.pk, 1, "Jo", "jo@example.com")


def _public_start(registry, items) -> list[str]:
    return [
        reverse("registries:public", args=[registry.slug]),
        f"{reverse('registries:search')}?q=Alex",
        reverse("registries:qr", args=[registry.slug]),
        reverse("registries:card", args=[registry.slug]),
        reverse("reservations:off_registry", args=[registry.slug]),
        *(reverse("reservations:reserve", args=[registry.slug, item.pk]) for item in items),
        reverse("reservations:export", args=[registry.slug]),
        reverse("reservations:thank_yous", args=[registry.slug]),
        reverse("registries:share", args=[registry.slug]),
        reverse("registries:dashboard", args=[registry.slug]),
        reverse("registries:edit", args=[registry.slug]),
    ]


def _leaks(pages: dict[str, bytes]) -> list[str]:
    return [path for path, body in pages.items() if SECRET.encode() in body]


def test_the_guest_with_a_claim_sees_it_on_their_page_and_in_their_mail(client, our_guest):
    page = client.get(our_guest).content.decode()
    assert SECRET in page and "Where to send your gift" in page

    (confirmation,) = [m for m in mail.outbox if m.to == ["robin@example.com"]]
    assert SECRET in confirmation.body
    assert SECRET in confirmation.alternatives[0][0]


def test_the_public_page_cached_for_that_guest_never_carries_it(client, our_guest, shipping_registry):
    public = reverse("registries:public", args=[shipping_registry.slug])
    for _ in range(2):  # rendered, then from the cache
        assert SECRET not in client.get(public).content.decode()


def test_an_anonymous_crawl_finds_it_nowhere(client, our_guest, shipping_registry, items):
    client.cookies.clear()
    pages = crawl(client, _public_start(shipping_registry, items))

    assert len(pages) > 15  # it really went around (home, pricing, FAQ, gift pages, login…)
    assert reverse("registries:qr", args=[shipping_registry.slug]) in pages
    assert _leaks(pages) == []


def test_a_guest_with_a_claim_on_another_registry_finds_it_nowhere(
    client, our_guest, elsewhere_guest, shipping_registry, items
):
    client.cookies.clear()
    pages = crawl(client, [elsewhere_guest.get_manage_url(), *_public_start(shipping_registry, items)])

    assert elsewhere_guest.get_manage_url() in pages
    assert b"1 Elsewhere Road" in pages[elsewhere_guest.get_manage_url()]  # their own couple's address
    assert _leaks(pages) == []
    (their_mail,) = [m for m in mail.outbox if m.to == ["jo@example.com"]]
    assert "1 Elsewhere Road" in their_mail.body and SECRET not in their_mail.body


def test_another_couple_finds_it_nowhere(
    client, other_couple, other_client, our_guest, shipping_registry, items
):
    theirs = RegistryFactory(slug="their-registry", owners=[other_couple])
    pages = crawl(
        other_client,
        [reverse("registries:dashboard", args=[theirs.slug]), *_public_start(shipping_registry, items)],
    )

    assert reverse("registries:dashboard", args=[theirs.slug]) in pages
    assert _leaks(pages) == []


def test_the_owners_see_it(owner_client, shipping_registry):
    dashboard = owner_client.get(reverse("registries:dashboard", args=[shipping_registry.slug]))
    assert SECRET in dashboard.content.decode()
    form = owner_client.get(reverse("registries:edit", args=[shipping_registry.slug]))
    assert SECRET in form.content.decode()


def test_a_cancelled_claim_no_longer_shows_it(client, our_guest, shipping_registry):
    cancelled = Reservation.objects.get(guest_email="robin@example.com")
    services.cancel(cancelled.pk)
    # A cancelled claim no longer shows where gifts go.
    assert SECRET not in client.get(our_guest).content.decode()


def test_party_or_later_say_so_instead(client, registry, items):
    registry.shipping = Registry.Shipping.PARTY
    registry.save()
    reservation = services.reserve(items[0].pk, 1, "Pat", "pat@example.com")
    assert "Please bring your gift to the party." in client.get(reservation.get_manage_url()).content.decode()


def test_choosing_an_address_needs_one(owner_client, registry):
    data = {
        "partner_one": "Alex",
        "partner_two": "Sam",
        "event_date": registry.event_date.isoformat(),
        "slug": registry.slug,
        "privacy": "public",
        "spoilers": "all",
        "shipping": "address",
        "shipping_address": "  ",
    }
    response = owner_client.post(reverse("registries:edit", args=[registry.slug]), data)

    assert response.status_code == 200
    assert "Please give the address guests should send gifts to" in response.content.decode()
    registry.refresh_from_db()
    assert registry.shipping == ""
