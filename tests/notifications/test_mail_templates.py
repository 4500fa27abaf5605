"""Every mail under templates/emails/: a text part, and HTML that holds up in a mail client.

Mail clients drop stylesheets and block remote images, and phones are 375 px
wide: the HTML uses inline styles only, shows its header image from the
mail itself (cid:), and has nothing fixed wider than 600 px.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone

from apps.core import emails
from apps.metrics.services import daily_report
from tests.factories import ItemFactory, ReservationFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "emails"
NAMES = sorted(p.name for p in TEMPLATES.iterdir() if p.is_dir())


def _context(name: str) -> dict:
    reservation = ReservationFactory(
        item=ItemFactory(title="Teapot", store_url="https://shop.example/teapot"),
        guest_name="Robin",
        message="Enjoy!",
    )
    registry = reservation.item.registry
    order = SimpleNamespace(
        currency="EUR",
        amount=Decimal("29.00"),
        plan=SimpleNamespace(name="Premium"),
        invoice="WSP-1",
        txn_id="T1",
    )
    url = "https://whisper.example/somewhere/"
    return {
        "name": "Robin",
        "email": "robin@example.com",
        "old_email": "old@example.com",
        "new_email": "new@example.com",
        "lifetime": "7 days",
        "verify_url": url,
        "create_url": url,
        "confirm_url": url,
        "reset_url": url,
        "manage_url": url,
        "registry_url": url,
        "dashboard_url": url,
        "settings_url": url,
        "orders_url": url,
        "unsubscribe_url": url + "unsubscribe/",
        "valid_until": registry.token_valid_until(),
        "reservation": reservation,
        "reservations": [reservation],
        "item": reservation.item,
        "registry": registry,
        "view": "all",
        "units": 1,
        "total_units": 1,
        "count": 1,
        "since": timezone.now() - datetime.timedelta(days=1),
        "days_left": 3,
        "to_thank": 2,
        "order": order,
        # Group-gift pledges and the partner invitation (other apps' mails).
        "pledge": SimpleNamespace(
            guest_name="Robin", amount=Decimal("20.00"), message="Enjoy!", is_active=True
        ),
        "amount": "€20.00",
        "inviter": SimpleNamespace(name="Alex", email="alex@example.com", get_short_name=lambda: "Alex"),
        "accept_url": url,
        "report": daily_report(),
    }


def test_every_mail_folder_is_tested():
    assert {"reservation_confirmation", "owner_digest", "guest_reminder", "welcome"} <= set(NAMES)
    for name in NAMES:
        assert {p.name for p in (TEMPLATES / name).iterdir()} >= {"subject.txt", "body.txt", "body.html"}


@pytest.mark.parametrize("name", NAMES)
def test_the_html_part_uses_inline_styles_and_fits_a_phone(name):
    subject, text, html = emails.render(name, _context(name))

    assert subject and "\n" not in subject
    assert text.strip() and "<p" not in text
    assert "<style" not in html and "<link" not in html  # clients drop both
    assert re.search(r"<body[^>]* style=\"[^\"]+\"", html)
    assert html.count('style="') >= 5
    # The header image comes with the mail; no image is fetched from the web.
    assert re.findall(r'<img[^>]+src="([^"]+)"', html) == [f"cid:{emails.HEADER_CID}"]
    widths = [int(w) for w in re.findall(r'width[=:]\s*"?(\d+)(?:px)?', html)]
    assert widths and max(widths) <= 600
    assert 'name="viewport"' in html


@pytest.mark.parametrize("name", NAMES)
def test_text_typed_by_people_is_escaped_in_html_and_plain_in_text(name):
    context = _context(name)
    context["reservation"].guest_name = "Pat & <Lou>"
    context["name"] = "Pat & <Lou>"

    _, text, html = emails.render(name, context)

    assert "<Lou>" not in html
    if "Pat" in text:
        assert "Pat & <Lou>" in text
        assert "Pat &amp; &lt;Lou&gt;" in html
