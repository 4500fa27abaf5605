"""Import jobs: queued on commit, run by the task, ending done or failed — always ending."""

from __future__ import annotations

import resource
import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.cache import cache
from PIL import Image

from apps.importer import services
from apps.importer.models import ImportJob
from apps.importer.parse import ProductInfo
from apps.importer.services import give_up_if_stalled, run_import, start_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    return settings.MEDIA_ROOT


def _files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()]


def _run(registry, couple, url: str) -> ImportJob:
    job = ImportJob.objects.create(registry=registry, created_by=couple, url=url)
    run_import(job.pk)
    job.refresh_from_db()
    return job


def test_a_job_reads_the_product_and_stores_its_image(
    store, registry, couple, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(registry, couple, f"{store}/jsonld")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.result["title"] == "Copper Kettle 1.5 L"
    assert job.result["price"] == "89.90"
    assert job.image.name.endswith(".jpg")
    with Image.open(job.image.path) as img:
        assert img.format == "JPEG"
        assert img.size == (320, 240)


def test_the_task_is_only_queued_after_commit(store, registry, couple, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start_import(registry, couple, f"{store}/og")
    assert len(callbacks) == 1
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.PENDING


def test_a_failed_fetch_ends_as_a_failed_job_with_a_code_and_message(store, registry, couple):
    job = _run(registry, couple, f"{store}/notfound")
    assert (job.status, job.error_code) == (ImportJob.Status.FAILED, "http_error")
    assert "404" in job.error
    assert job.result == {}


def test_a_redelivered_task_does_nothing(store, registry, couple, store_hits):
    job = _run(registry, couple, f"{store}/meta")
    store_hits.clear()
    assert run_import(job.pk) is None
    assert store_hits == []


def test_a_saved_page_is_cached_for_the_next_import_of_that_link(store, registry, couple, store_hits):
    _run(registry, couple, f"{store}/meta")
    again = _run(registry, couple, f"{store}/meta")
    assert again.result["title"] == "Garden Hammock"
    assert store_hits == ["/meta"]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/bad-image", "not_image"),  # text served as a JPEG
        ("/corrupt", "not_image"),  # a PNG that fails its checksum: verify() raises SyntaxError
        ("/bomb-13000", "too_many_pixels"),  # 169 MP: past Pillow's own warning
        ("/bomb-7500", "too_many_pixels"),  # 56 MP: under Pillow's limit, over the uploads' 50 MP
    ],
)
def test_a_page_whose_image_cannot_be_used_keeps_the_text_and_leaves_no_file(
    store, registry, couple, _own_media_root, path, code
):
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    job = _run(registry, couple, f"{store}{path}")
    assert job.status == ImportJob.Status.DONE
    assert job.result["title"] == "Lamp"
    assert not job.image
    assert job.error_code == code
    assert "image couldn't be used" in job.error
    assert _files(_own_media_root) == []
    # Refused from its header: decoding 169 MP would take hundreds of MB (ru_maxrss is in KB).
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 100_000


def test_an_image_that_trickles_is_bounded_by_the_same_deadline(store, registry, couple, settings):
    settings.IMPORTER_TOTAL_TIMEOUT = 1.2
    started = time.monotonic()
    job = _run(registry, couple, f"{store}/trickle-image")
    assert time.monotonic() - started < 2.0
    assert (job.status, job.error_code, job.result["title"]) == (ImportJob.Status.DONE, "timeout", "Lamp")


def test_product_data_with_nul_characters_is_saved_without_them(store, registry, couple):
    job = _run(registry, couple, f"{store}/nul")
    assert job.status == ImportJob.Status.DONE
    assert (job.result["title"], job.result["description"]) == ("Teapot", "Cast iron")
    assert job.image


def test_a_save_the_database_refuses_ends_the_job_failed_caches_nothing_and_leaves_no_file(
    store, registry, couple, monkeypatch, _own_media_root
):
    # The next field nobody cleaned: PostgreSQL refuses a NUL character in JSON.
    unclean = ProductInfo(title="Tea\x00pot", image_url=f"{store}/img/teapot.jpg")
    monkeypatch.setattr(services, "parse_product", lambda body, url: unclean)
    job = _run(registry, couple, f"{store}/jsonld")

    assert (job.status, job.error_code, job.result) == (ImportJob.Status.FAILED, "failed", {})
    assert not job.image
    assert _files(_own_media_root) == []
    assert cache.get(services._cache_key(job.url)) is None


def test_the_soft_time_limit_ends_the_job_failed_and_leaves_no_file(
    store, registry, couple, monkeypatch, _own_media_root
):
    def out_of_time(url, deadline):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "fetch_image", out_of_time)
    job = _run(registry, couple, f"{store}/jsonld")
    assert (job.status, job.error_code) == (ImportJob.Status.FAILED, "timeout")
    assert _files(_own_media_root) == []


def test_any_unexpected_crash_ends_the_job_failed(store, registry, couple, monkeypatch):
    monkeypatch.setattr(services, "parse_product", lambda body, url: 1 / 0)
    job = _run(registry, couple, f"{store}/og")
    assert (job.status, job.error_code) == (ImportJob.Status.FAILED, "failed")


def test_a_job_whose_worker_died_is_given_up_after_a_bound(registry, couple):
    job = ImportJob.objects.create(registry=registry, created_by=couple, url="https://shop.example/x")
    assert give_up_if_stalled(job).status == ImportJob.Status.PENDING
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - services.STALLED_AFTER)
    job.refresh_from_db()

    job = give_up_if_stalled(job)
    assert (job.status, job.error_code) == (ImportJob.Status.FAILED, "stalled")
    assert job.finished_at is not None
    assert run_import(job.pk) is None  # a task delivered after all does nothing
