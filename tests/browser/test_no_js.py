"""The guest's whole journey with JavaScript turned off: every form works as plain HTML."""

from __future__ import annotations

from apps.registries.models import Registry
from tests.browser.journeys import guest_journey
from tests.browser.support import BROWSER

pytestmark = BROWSER


def test_guest_journey_works_without_javascript(new_context):
    guest_journey(new_context, javascript=False, spoilers=Registry.Spoilers.ALL)
