"""A timeout for django-paypal's IPN postback, and a clear failure when PayPal does not answer.

django-paypal 2.1 verifies an IPN by posting it back to PayPal with
``requests.post(...)`` and no timeout: a PayPal that never answers would hold a
web worker forever. It offers no setting or hook for this, and replacing its
model or view (a proxy model plus a copied view) would be far more code to keep
in step than one method. So ``PayPalIPNConfig.ready`` swaps in
``postback_with_timeout`` for ``PayPalIPN._postback`` — same request, same
endpoint (still ``self.get_endpoint()``, which reads the ``POSTBACK_ENDPOINT``
constants of ``paypal.standard.models`` that the tests point at a stand-in), but
with ``settings.PAYPAL_POSTBACK_TIMEOUT``.

``UPSTREAM`` records the django-paypal code this relies on (see
``apps.core.patches``): ``tests/invariants/test_patches.py`` fails when an
upgrade changes it.

When PayPal does not answer (timeout, refused connection, 5xx) it raises
``PostbackUnavailable`` *before* django-paypal saves the IPN or sends a signal,
so nothing is stored or applied; ``views.ipn`` turns it into a 503 and PayPal
posts the IPN again later.
"""

from __future__ import annotations

import logging

import requests
from django.conf import settings

logger = logging.getLogger(__name__)

# What the patch replaces (_postback) and what calls it and reads its answer (verify, get_endpoint).
UPSTREAM = {
    "paypal.standard.ipn.models:PayPalIPN._postback": "f12c132b1d6f",
    "paypal.standard.models:PayPalStandardBase.verify": "4498633f16eb",
    "paypal.standard.models:PayPalStandardBase.get_endpoint": "d91dada69023",
}
RECHECK = (
    "django-paypal changed its IPN postback: check that PayPalIPN.verify still calls self._postback() "
    "before saving or signalling, that _postback still posts cmd=_notify-validate to get_endpoint() "
    "without a timeout (if it has one now, or a setting, delete apps.payments.postback's patch), "
    "then record the new digests."
)


class PostbackUnavailable(Exception):
    """PayPal's verification endpoint did not give an answer we can use."""


def postback_with_timeout(ipn) -> bytes:
    """PayPal's answer to ``cmd=_notify-validate`` for ``ipn`` (``b"VERIFIED"`` or ``b"INVALID"``)."""
    try:
        response = requests.post(
            ipn.get_endpoint(),
            data=b"cmd=_notify-validate&" + ipn.query.encode("ascii"),
            headers={"User-Agent": "Whisper-IPN-Verifier"},
            timeout=settings.PAYPAL_POSTBACK_TIMEOUT,
        )
        response.raise_for_status()
    except requests.RequestException as exc:
        logger.warning("PayPal IPN postback failed; PayPal will retry: %s", exc)
        raise PostbackUnavailable(str(exc)) from exc
    # django-paypal decodes this as ASCII; never let odd bytes turn into a 500.
    return response.text.strip().encode("ascii", "replace")


def install() -> None:
    """Give django-paypal's IPN model the postback above (idempotent)."""
    from paypal.standard.ipn.models import PayPalIPN

    PayPalIPN._postback = postback_with_timeout
