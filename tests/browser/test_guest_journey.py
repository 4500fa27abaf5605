"""A guest on a phone, with JavaScript: passphrase, filter, reserve, manage from the mail, cancel.

Then the couple's dashboard shows what the spoiler setting allows, and nothing more.
"""

from __future__ import annotations

import pytest

from apps.registries.models import Registry
from tests.browser.journeys import dashboard_shows, guest_journey, protected_registry
from tests.browser.support import BROWSER, log_in
from tests.factories import PASSWORD, ReservationFactory

pytestmark = BROWSER


@pytest.mark.parametrize("spoilers", [Registry.Spoilers.ALL, Registry.Spoilers.COUNTS])
def test_guest_reserves_on_a_phone_and_the_couple_sees_what_spoilers_allow(new_context, spoilers):
    guest_journey(new_context, javascript=True, spoilers=spoilers)


def test_with_nothing_until_after_the_event_the_dashboard_gives_nothing_away(new_context):
    setting = protected_registry(Registry.Spoilers.NONE)
    teapot = setting.registry.items.get(title="Teapot")
    ReservationFactory(
        item=teapot,
        guest_name="Robin Fairweather",
        guest_email="robin@example.com",
        message="Congratulations, you two! <b>Enjoy</b> every cup.",
    )
    couple = new_context().new_page()
    log_in(couple, setting.couple_email, PASSWORD)
    couple.goto(f"/registries/{setting.registry.slug}/")
    dashboard_shows(couple, Registry.Spoilers.NONE)
