"""The pages issue 17 added, at 375 px: axe finds nothing serious, nothing is wider than the phone.

The cancel confirmation (after "mark as bought"), the share target's registry
choice, and /staff/ for a couple (403) and for staff.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import expect

from apps.accounts.models import User
from apps.reservations import services
from tests.browser.support import BROWSER, PHONE, axe_violations, horizontal_overflow, log_in, seed_demo
from tests.factories import ItemFactory, RegistryFactory

pytestmark = BROWSER

PASSWORD = "a-long-and-happy-life"


def _clean(page, axe_path: Path) -> None:
    assert horizontal_overflow(page) <= 0, page.url
    assert axe_violations(page, axe_path) == [], page.url


def test_the_cancel_confirmation_after_mark_as_bought(new_context, axe_path: Path):
    registry = RegistryFactory()
    teapot = ItemFactory(registry=registry, title="Teapot")
    reservation = services.UNITS.take(teapot.pk, 1, "Robin", "robin@example.com")
    services.UNITS.mark_bought(reservation.pk)
    guest = new_context(**PHONE, bypass_csp=True).new_page()

    guest.goto(reservation.get_manage_url())
    guest.get_by_role("button", name="Cancel my reservation").click()

    expect(guest.get_by_role("heading", name="Cancel your reservation?")).to_be_visible()
    expect(guest.get_by_text("another guest may reserve and buy it too")).to_be_visible()
    _clean(guest, axe_path)
    guest.get_by_role("link", name="Keep my reservation").click()
    expect(guest.get_by_role("button", name="Cancel my reservation")).to_be_visible()
    reservation.refresh_from_db()
    assert reservation.is_active and reservation.bought


def test_the_share_targets_registry_choice(new_context, axe_path: Path):
    couple = User.objects.create_user(email="robin@example.com", password=PASSWORD, email_verified=True)
    RegistryFactory(owners=[couple])
    RegistryFactory(owners=[couple], partner_one="Kim", partner_two="Lee")
    phone = new_context(**PHONE, bypass_csp=True).new_page()
    log_in(phone, couple.email, PASSWORD)

    phone.goto("/share/?" + urlencode({"url": "https://shop.example/a/very/long/product/path?colour=copper"}))

    expect(phone.get_by_role("heading", name="Add it to which registry?")).to_be_visible()
    expect(phone.get_by_role("link", name="Kim & Lee")).to_be_visible()
    _clean(phone, axe_path)


def test_staff_pages_for_a_couple_and_for_staff(new_context, axe_path: Path):
    demo = seed_demo()
    couple = new_context(**PHONE, bypass_csp=True).new_page()
    log_in(couple, demo.email, demo.password)
    response = couple.goto("/staff/")
    assert response.status == 403
    expect(couple.get_by_role("heading", name="These pages are for Whisper’s staff")).to_be_visible()
    _clean(couple, axe_path)

    User.objects.create_user(email="staff@example.com", password=PASSWORD, email_verified=True, is_staff=True)
    staff = new_context(**PHONE, bypass_csp=True).new_page()
    log_in(staff, "staff@example.com", PASSWORD)
    staff.get_by_role("link", name="Staff").click()
    expect(staff.get_by_role("heading", name="Staff pages")).to_be_visible()
    _clean(staff, axe_path)
