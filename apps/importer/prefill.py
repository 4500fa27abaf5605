"""Pre-fill the add-a-gift form from an import job (``items:add?import=<job id>``).

The item form stays the couple's: what the page said is only its initial
values, and the picture the job downloaded is copied into the item when the
couple saves it (the job's own file may be cleaned up later).
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db.models import Model
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from apps.core.money import CURRENCIES, MAX_PRICE
from apps.ops import flags

from .models import ImportJob

KNOWN_CURRENCIES = {code for code, _ in CURRENCIES}
# Item field sizes (title, description, store link).
_TITLE, _DESCRIPTION, _STORE_URL = 200, 4000, 1000


def job_for(request: HttpRequest, registry) -> ImportJob | None:
    """The job ``?import=`` names for ``registry``, or None when there is none.

    With the importer switched off the parameter is ignored; a job of another
    registry (or a number that is no job) is a 404.
    """
    raw = request.GET.get("import", "")
    if not raw or not flags.is_enabled(flags.IMPORTER, request):
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
        raise Http404("No such import")
    return get_object_or_404(ImportJob, pk=int(raw), registry=registry)


def initial(job: ImportJob) -> dict:
    """The item form's initial values from ``job``: the store link, and what the page said.

    >>> job = ImportJob(url="https://shop.example/kettle", status=ImportJob.Status.DONE,
    ...                 result={"title": "Kettle", "price": "89.90", "currency": "EUR"})
    >>> sorted(initial(job).items())  # doctest: +NORMALIZE_WHITESPACE
    [('currency', 'EUR'), ('description', ''), ('price', Decimal('89.90')),
     ('store_url', 'https://shop.example/kettle'), ('title', 'Kettle')]
    >>> initial(ImportJob(url="https://shop.example/x", status=ImportJob.Status.FAILED))
    {'store_url': 'https://shop.example/x'}
    """
    data: dict = {}
    if len(job.url) <= _STORE_URL:
        data["store_url"] = job.url
    if job.status != ImportJob.Status.DONE:
        return data
    result = job.result if isinstance(job.result, dict) else {}
    data["title"] = str(result.get("title") or "")[:_TITLE]
    data["description"] = str(result.get("description") or "")[:_DESCRIPTION]
    price = _price(result.get("price"))
    if price is not None:
        data["price"] = price
    if result.get("currency") in KNOWN_CURRENCIES:
        data["currency"] = result["currency"]
    return data


def _price(raw) -> Decimal | None:
    """A price the item form accepts, or None.

    >>> _price("12.5"), _price("0"), _price("abc"), _price("99999999")
    (Decimal('12.50'), None, None, None)
    """
    try:
        price = Decimal(str(raw)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None
    return price if Decimal("0.01") <= price <= MAX_PRICE else None


def picture(job: ImportJob | None):
    """The picture ``job`` downloaded, to show on the form; None without one."""
    if job is None or job.status != ImportJob.Status.DONE or not job.image:
        return None
    return job.image


def copy_picture(job: ImportJob, item: Model) -> None:
    """Give ``item`` (unsaved) a copy of the job's picture, unless the couple uploaded one."""
    source = picture(job)
    if item.image or source is None:
        return
    try:
        with source.open("rb") as f:
            data = f.read()
    except OSError:  # the job's file is gone: the gift simply has no picture
        return
    # Not stored yet: saving the item stores it, so a refused save leaves no file behind.
    item.image = ContentFile(data, name=f"{uuid.uuid4().hex}.jpg")
