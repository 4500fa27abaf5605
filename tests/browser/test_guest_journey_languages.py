"""The guest's journey again, in German and in French: the chooser, a reservation, the mail, the manage link.

Every word the test looks for is read from the catalogs (``gettext`` in the
language), so it checks what the translators wrote, whatever they wrote. It
needs their work: until locale/<lang>/LC_MESSAGES/django.po is translated (and
compiled, as ``make test`` does), the first check says so and the test fails.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from apps.registries.models import Registry
from apps.reservations.models import Reservation
from tests.browser.support import BROWSER, PHONE, horizontal_overflow, mail_link
from tests.factories import ItemFactory, RegistryFactory, UserFactory

pytestmark = BROWSER

GUEST_NAME = "Robin Fairweather"
GUEST_EMAIL = "robin@example.com"


def say(language: str, message: str, **values) -> str:
    """``message`` as the catalog of ``language`` has it, filled in with ``values``."""
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


@pytest.mark.parametrize("language", ["de", "fr"])
def test_a_guest_reserves_and_manages_a_gift_in_their_language(new_context, language):
    reserve = say(language, "Reserve")
    assert reserve != "Reserve", (
        f"locale/{language}/LC_MESSAGES/django.po is not translated (or not compiled)"
    )
    couple = UserFactory(email="alex@example.com", name="Alex", language="en")
    registry = RegistryFactory(slug="alex-and-sam", owners=[couple], privacy=Registry.Privacy.PUBLIC)
    ItemFactory(registry=registry, title="Teapot", price="35.00", quantity=1, store_url="")
    guest = new_context(**PHONE, locale="en-US").new_page()

    # An English browser: the page is English until the guest picks their language in the footer.
    guest.goto(f"/r/{registry.slug}/")
    expect(guest.locator("html")).to_have_attribute("lang", "en")
    chooser = guest.locator("form.language-chooser")
    chooser.get_by_label("Language").select_option(language)
    chooser.get_by_role("button", name="Change language").click()
    expect(guest.locator("html")).to_have_attribute("lang", language)
    expect(guest.get_by_role("heading", name="Alex & Sam", level=1)).to_be_visible()
    assert horizontal_overflow(guest) <= 0

    # A reservation, in their words.
    guest.get_by_role("link", name=say(language, "Reserve %(title)s", title="Teapot")).click()
    expect(
        guest.get_by_role("heading", name=say(language, "Reserve “%(title)s”", title="Teapot"))
    ).to_be_visible()
    guest.get_by_label(say(language, "Your name")).fill(GUEST_NAME)
    guest.get_by_label(say(language, "Your email")).fill(GUEST_EMAIL)
    guest.get_by_role("button", name=reserve, exact=True).click()
    expect(
        guest.get_by_text(say(language, "Reserved! We've emailed you a link to manage it."))
    ).to_be_visible()
    assert Reservation.objects.get().language == language

    # The mail speaks it too (and the couple's, their account's English).
    (sent,) = [m for m in mail.outbox if GUEST_EMAIL in m.to]
    assert sent.subject == say(
        language, "You reserved “%(title)s” for %(one)s & %(two)s", title="Teapot", one="Alex", two="Sam"
    )
    assert (
        say(language, "To change the quantity, mark it as bought, or cancel, use your private link:")
        in sent.body
    )

    # The manage link from the mail, opened on the same phone: the guest's choice still holds.
    guest.goto(mail_link(GUEST_EMAIL, "/reservations/"))
    expect(guest.locator("html")).to_have_attribute("lang", language)
    expect(guest.get_by_role("heading", name=say(language, "Your reservation"))).to_be_visible()
    guest.get_by_role("button", name=say(language, "Mark as bought")).click()
    expect(guest.get_by_text(say(language, "Marked as bought — thank you!"))).to_be_visible()
