"""Every monkeypatch of a third-party library still fits the upstream code it was written against."""

from __future__ import annotations

import pymemcache.client.base
import pytest
from paypal.standard.ipn.models import PayPalIPN

from apps.core import cache, patches
from apps.payments import postback

PATCH_MODULES = [patches, postback]


@pytest.mark.parametrize("module", PATCH_MODULES, ids=lambda module: module.__name__)
def test_the_upstream_code_a_patch_relies_on_is_unchanged(module):
    found = {target: patches.upstream_digest(target) for target in module.UPSTREAM}

    assert found == module.UPSTREAM, module.RECHECK


def test_the_patches_are_in_place():
    assert cache.FRAGMENT_SECONDS  # apps.core.cache applies the pymemcache patch on import

    assert pymemcache.client.base.RECV_SIZE >= 64 * 1024
    assert PayPalIPN._postback is postback.postback_with_timeout
