"""Import a product from a store link: fetch, read, download the image.

A failure of any kind ends as a failed job with a code and a message for the
couple (see errors.py), never an exception.
"""

from __future__ import annotations

import hashlib
import io
import logging
import time
import uuid
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image

from apps.core.uploads import MAX_EDGE, MAX_IMAGE_PIXELS
from apps.metrics.api import count

from .errors import ImportFailed, NoProduct, NotImage, Stalled, TimedOut, TooManyPixels
from .http import Deadline, fetch
from .models import ImportJob
from .parse import ProductInfo, parse_price, parse_product

log = logging.getLogger("whisper.importer")

HTML_TYPES = ("text/html", "application/xhtml+xml")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
IMAGE_UNUSABLE = _("The product was read, but its image couldn't be used: %(reason)s")
# Past the task's hard time limit (tasks.py) and any sane wait in the queue: the worker is gone.
STALLED_AFTER = timedelta(minutes=3)


def _cache_key(url: str) -> str:
    return "importer:page:" + hashlib.sha256(url.encode()).hexdigest()


def fetch_product(url: str, deadline: Deadline) -> ProductInfo:
    """What the page at ``url`` says about its product (from the cache when a job saved it lately)."""
    cached = cache.get(_cache_key(url))
    if cached is not None:
        log.info("importer fetch url=%s outcome=cached ms=0", url)
        return ProductInfo(**{**cached, "price": parse_price(cached.get("price"))})
    started = time.monotonic()
    try:
        response = fetch(
            url, accept=HTML_TYPES, max_bytes=settings.IMPORTER_MAX_PAGE_BYTES, deadline=deadline
        )
        info = parse_product(response.body, response.url)
    except ImportFailed as exc:
        log.warning("importer fetch url=%s outcome=%s ms=%d", url, exc.code, _ms(started))
        raise
    except Exception as exc:  # a parser crash on garbage must not become a 500
        log.exception("importer fetch url=%s outcome=error ms=%d", url, _ms(started))
        raise ImportFailed() from exc
    if not info.found_anything:
        log.warning("importer fetch url=%s outcome=empty ms=%d", url, _ms(started))
        raise NoProduct()
    log.info("importer fetch url=%s outcome=ok ms=%d", url, _ms(started))
    return info


def fetch_image(url: str, deadline: Deadline) -> ContentFile:
    """The image at ``url``, within the upload limits, re-encoded as JPEG (metadata dropped)."""
    response = fetch(url, accept=IMAGE_TYPES, max_bytes=settings.WHISPER_MAX_IMAGE_BYTES, deadline=deadline)
    return reencode_image(response.body)


def reencode_image(data: bytes) -> ContentFile:
    """A clean JPEG of ``data``; raises NotImage or TooManyPixels when it is not a usable image.

    The canvas size is read from the header and checked against the uploads'
    pixel cap before any pixel is decoded: a small file may declare a huge one.
    """
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise TooManyPixels(megapixels=MAX_IMAGE_PIXELS // 1_000_000)
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            if img.format == "JPEG":
                img.draft("RGB", (MAX_EDGE, MAX_EDGE))  # decode at a reduced scale: cheap
            img.thumbnail((MAX_EDGE, MAX_EDGE))
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=85)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooManyPixels(megapixels=MAX_IMAGE_PIXELS // 1_000_000) from exc
    except TooManyPixels:
        raise
    except Exception as exc:  # Pillow raises SyntaxError, OSError, ValueError, … on broken files
        raise NotImage() from exc
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def start_import(registry, user, url: str) -> ImportJob:
    """Record an import of ``url`` for ``registry`` and queue it once committed."""
    from .tasks import run_import_task

    with transaction.atomic():
        job = ImportJob.objects.create(registry=registry, created_by=user, url=url)
        run_import_task.delay_on_commit(job.pk)
    return job


def run_import(job_id: int) -> ImportJob | None:
    """Fetch the job's page and image within the deadline; the job ends done or failed.

    Whatever goes wrong — the store, the bytes, the database, the worker's
    soft time limit — the job ends failed with the reason's code and message,
    and no picture file is left behind. The page is cached for the next
    import of the same link only once the job holding it is saved.
    """
    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).first()
    if job is None:  # already done (a redelivered task), given up, or gone
        return None
    started = time.monotonic()
    count("importer_fetches")
    try:
        with Deadline(settings.IMPORTER_TOTAL_TIMEOUT) as deadline:
            info = fetch_product(job.url, deadline)
            image = _image_or_reason(job, info, deadline)
        job.result, job.status = info.as_dict(), ImportJob.Status.DONE
        if image is not None:
            job.image.save("import.jpg", image, save=False)
        _finish(job, started)
    except Exception as exc:
        if job.image:  # stored before a save that failed
            job.image.delete(save=False)
        failure = exc if isinstance(exc, ImportFailed) else _unexpected(exc, job)
        count("importer_failures")
        job.result, job.status = {}, ImportJob.Status.FAILED
        job.error_code, job.error = failure.code, str(failure)[:300]
        _finish(job, started)
        return job
    cache.set(_cache_key(job.url), job.result, settings.IMPORTER_CACHE_SECONDS)
    return job


def _image_or_reason(job: ImportJob, info: ProductInfo, deadline: Deadline) -> ContentFile | None:
    """The product's picture; without one the text still counts, and ``job.error`` says why."""
    if not info.image_url:
        return None
    try:
        return fetch_image(info.image_url, deadline)
    except ImportFailed as exc:
        log.warning("importer image url=%s outcome=%s", info.image_url, exc.code)
        job.error_code = exc.code
        job.error = str(IMAGE_UNUSABLE % {"reason": exc})[:300]
        return None


def _unexpected(exc: Exception, job: ImportJob) -> ImportFailed:
    if isinstance(exc, SoftTimeLimitExceeded):
        return TimedOut()
    log.exception("importer job=%s outcome=error", job.pk)
    return ImportFailed()


def _finish(job: ImportJob, started: float) -> None:
    job.duration_ms = _ms(started)
    job.finished_at = timezone.now()
    with transaction.atomic():  # a refused save leaves the connection usable for the failure
        job.save()


def give_up_if_stalled(job: ImportJob) -> ImportJob:
    """Mark ``job`` failed when it has been pending longer than any worker may run.

    A worker that died (killed, out of memory, lost with its queue) never
    finishes its job; without this its page would refresh for ever.
    """
    if job.status != ImportJob.Status.PENDING or timezone.now() - job.created_at < STALLED_AFTER:
        return job
    failure = Stalled()
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.FAILED,
        error_code=failure.code,
        error=str(failure)[:300],
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job
