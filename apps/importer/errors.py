"""Why an import failed: one code per reason the couple can act on.

Each failure is a :class:`~apps.core.errors.ServiceError` with a stable
``code`` (stored on the job, asserted by tests) and a translatable message
that says what happened and, where there is something to do, what to do.
An unresolvable name is not a private address, and neither is a timeout.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ServiceError


class ImportFailed(ServiceError):
    """An import that ended without a usable product."""

    code = "failed"
    message = _(
        "Something went wrong while reading that page. Please try again, or fill in the form by hand."
    )


class BadLink(ImportFailed):
    code = "bad_link"
    message = _("That link can't be imported (only http:// and https:// links to a named host are).")


class Unresolvable(ImportFailed):
    code = "dns"
    message = _("We couldn't find that store's address (%(host)s). Please check the link.")


class Blocked(ImportFailed):
    code = "blocked"
    message = _("That address can't be fetched (it points to a private or internal network).")


class Unreachable(ImportFailed):
    code = "unreachable"
    message = _("We couldn't reach that store. Please try again later.")


class TimedOut(ImportFailed):
    code = "timeout"
    message = _("The store took too long to answer. Please try again later, or fill in the form by hand.")


class TooLarge(ImportFailed):
    code = "too_large"
    message = _("That page is too large to import.")


class NotHtml(ImportFailed):
    code = "not_html"
    message = _("That link isn't a web page we can read. Please paste the link of the product's page.")


class HttpError(ImportFailed):
    code = "http_error"
    message = _("The store answered with an error (%(status)s). Please check the link.")


class TooManyRedirects(ImportFailed):
    code = "redirects"
    message = _("The store redirected too many times.")


class NoProduct(ImportFailed):
    code = "no_product"
    message = _("We couldn't find a product on that page.")


class NotImage(ImportFailed):
    code = "not_image"
    message = _("That isn't an image we can use.")


class TooManyPixels(ImportFailed):
    code = "too_many_pixels"
    message = _("The product's picture is far too large in pixels (over %(megapixels)s megapixels).")


class Stalled(ImportFailed):
    code = "stalled"
    message = _(
        "Reading that page took far too long and was given up. Please try again, or fill it in by hand."
    )
