"""Every monkeypatch of a third-party library still fits the upstream code it was written against."""

from __future__ import annotations

import pytest
from paypal.standard.ipn.models import PayPalIPN

from apps.core import patches
from apps.payments import postback

PATCH_MODULES = [postback]


@pytest.mark.parametrize("module", PATCH_MODULES, ids=lambda module: module.__name__)
def test_the_upstream_code_a_patch_relies_on_is_unchanged(module):
    found = {target: patches.upstream_digest(target) for target in module.UPSTREAM}

    assert found == module.UPSTREAM, module.RECHECK


def test_the_patches_are_in_place():
    assert PayPalIPN._postback is postback.postback_with_timeout
