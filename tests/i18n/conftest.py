"""The seeded site of the security tests, and the pseudo-locale switched on."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from tests.i18n import pseudo
from tests.security.conftest import site  # noqa: F401  (the fixture, for these tests too)


@pytest.fixture
def pseudo_locale(tmp_path):
    """``en-xa`` as a language of the site, its catalogs built from the German ones."""
    root = pseudo.build(tmp_path / "locale")
    with override_settings(
        LOCALE_PATHS=[root, *settings.LOCALE_PATHS],
        LANGUAGES=[*settings.LANGUAGES, (pseudo.PSEUDO, "Pseudo")],
    ):
        yield pseudo.PSEUDO
