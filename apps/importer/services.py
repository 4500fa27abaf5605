"""Import a product from a store link: fetch, read, download the image.

``start_import`` records the request and queues the work after commit;
``run_import`` (the celery task's body) does the fetch. A failure of any
kind ends as a failed job with a message for the couple, never an exception.
"""

from __future__ import annotations

import hashlib
import io
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from .http import FetchError, fetch
from .models import ImportJob
from .parse import ProductInfo, parse_product

log = logging.getLogger("whisper.importer")

HTML_TYPES = ("text/html", "application/xhtml+xml")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


def _count(name: str) -> None:
    try:
        from apps.metrics.api import count
    except ImportError:  # metrics are optional for the importer
        return
    count(name)


def _cache_key(url: str) -> str:
    return "importer:page:" + hashlib.sha256(url.encode()).hexdigest()


def fetch_product(url: str) -> ProductInfo:
    """What the page at ``url`` says about its product (cached by URL for a while)."""
    key = _cache_key(url)
    cached = cache.get(key)
    if cached is not None:
        log.info("importer fetch url=%s outcome=cached ms=0", url)
        return ProductInfo(**{**cached, "price": _decimal(cached.get("price"))})
    started = time.monotonic()
    try:
        response = fetch(url, accept=HTML_TYPES, max_bytes=settings.IMPORTER_MAX_PAGE_BYTES)
        info = parse_product(response.body, response.url)
    except FetchError as exc:
        log.warning("importer fetch url=%s outcome=failed reason=%r ms=%d", url, str(exc), _ms(started))
        raise
    except Exception as exc:  # a parser crash on garbage must not become a 500
        log.exception("importer fetch url=%s outcome=error ms=%d", url, _ms(started))
        raise FetchError("We couldn't read that page.") from exc
    if not info.found_anything:
        log.warning("importer fetch url=%s outcome=empty ms=%d", url, _ms(started))
        raise FetchError("We couldn't find a product on that page.")
    log.info("importer fetch url=%s outcome=ok ms=%d", url, _ms(started))
    cache.set(key, info.as_dict(), settings.IMPORTER_CACHE_SECONDS)
    return info


def fetch_image(url: str) -> ContentFile:
    """The image at ``url``, checked and re-encoded as JPEG (metadata dropped)."""
    response = fetch(url, accept=IMAGE_TYPES, max_bytes=settings.IMPORTER_MAX_IMAGE_BYTES)
    return reencode_image(response.body)


def reencode_image(data: bytes) -> ContentFile:
    """A clean JPEG of ``data``; raises FetchError when it is not a usable image."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.thumbnail((1600, 1600))
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=85)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise FetchError("That isn't an image we can use.") from exc
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _decimal(value):
    from .parse import parse_price

    return parse_price(value) if value else None


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def start_import(registry, user, url: str) -> ImportJob:
    """Record an import of ``url`` for ``registry`` and queue it once committed."""
    from .tasks import run_import_task

    with transaction.atomic():
        job = ImportJob.objects.create(registry=registry, created_by=user, url=url)
        transaction.on_commit(lambda: run_import_task.delay(job.pk))
    return job


def run_import(job_id: int) -> ImportJob | None:
    """Fetch the job's page and image; the job ends done or failed."""
    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).first()
    if job is None:  # already done (a redelivered task) or gone
        return None
    started = time.monotonic()
    _count("importer_fetches")
    try:
        info = fetch_product(job.url)
    except FetchError as exc:
        _count("importer_failures")
        job.status, job.error = ImportJob.Status.FAILED, str(exc)[:300]
    else:
        job.result = info.as_dict()
        job.status = ImportJob.Status.DONE
        if info.image_url:
            try:
                job.image.save("import.jpg", fetch_image(info.image_url), save=False)
            except FetchError as exc:
                log.warning("importer image url=%s outcome=failed reason=%r", info.image_url, str(exc))
                job.error = f"The product was read, but its image couldn't be used: {exc}"[:300]
    job.duration_ms = _ms(started)
    job.finished_at = timezone.now()
    job.save()
    return job
