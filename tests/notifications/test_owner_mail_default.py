"""Under make run a new registry's couple sees each reservation's mail on the console (issue 17 #13)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core import mail

from apps.notifications.models import RegistryPreference
from apps.reservations import services as reservations
from tests.factories import ItemFactory, RegistryFactory, UserFactory

pytestmark = pytest.mark.django_db

OwnerMail = RegistryPreference.OwnerMail


def _dev_setting(name: str) -> str:
    """A value of whisper.settings.dev, as make run reads it (no EMAIL_BACKEND etc. from this shell)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("WHISPER_", "EMAIL_"))}
    result = subprocess.run(
        [sys.executable, "-c", f"import whisper.settings.dev as s; print(s.{name})"],
        env=environ,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_make_run_mails_the_couple_right_away_and_prints_mail_readably():
    assert _dev_setting("WHISPER_OWNER_MAIL_DEFAULT") == OwnerMail.IMMEDIATELY
    assert _dev_setting("EMAIL_BACKEND") == "apps.core.console_mail.EmailBackend"
    assert _dev_setting("WHISPER_GUEST_MAIL_COALESCE_SECONDS") == "0"  # no worker to send later


def test_with_that_default_a_new_registry_mails_its_couple_each_reservation(settings):
    settings.WHISPER_OWNER_MAIL_DEFAULT = OwnerMail.IMMEDIATELY
    couple = UserFactory(email="kim@example.com")
    registry = RegistryFactory(owners=[couple])
    teapot = ItemFactory(registry=registry, title="Teapot")

    reservations.reserve(teapot.pk, 1, "Robin", "robin@example.com")

    assert RegistryPreference.objects.get(registry=registry).owner_mail == OwnerMail.IMMEDIATELY
    assert [m.subject for m in mail.outbox if m.to == ["kim@example.com"]] == ["Robin reserved “Teapot”"]


def test_elsewhere_the_default_stays_the_daily_digest(settings):
    assert settings.WHISPER_OWNER_MAIL_DEFAULT == OwnerMail.DIGEST
    couple = UserFactory(email="kim@example.com")
    registry = RegistryFactory(owners=[couple])
    teapot = ItemFactory(registry=registry, title="Teapot")

    reservations.reserve(teapot.pk, 1, "Robin", "robin@example.com")

    assert not RegistryPreference.objects.filter(registry=registry).exists()
    assert [m for m in mail.outbox if m.to == ["kim@example.com"]] == []
