"""Import jobs: queued on commit, run by the task, ending done or failed."""

from __future__ import annotations

import pytest
from PIL import Image

from apps.importer.models import ImportJob
from apps.importer.services import run_import, start_import

pytestmark = pytest.mark.django_db


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


def test_a_failed_fetch_ends_as_a_failed_job_with_a_message(store, registry, couple):
    job = ImportJob.objects.create(registry=registry, created_by=couple, url=f"{store}/notfound")
    run_import(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "404" in job.error
    assert job.result == {}


def test_a_redelivered_task_does_nothing(store, registry, couple, store_hits):
    job = ImportJob.objects.create(registry=registry, created_by=couple, url=f"{store}/meta")
    run_import(job.pk)
    store_hits.clear()
    assert run_import(job.pk) is None
    assert store_hits == []


def test_a_page_whose_image_is_not_an_image_keeps_the_text(store, registry, couple):
    job = ImportJob.objects.create(registry=registry, created_by=couple, url=f"{store}/bad-image")
    run_import(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.result["title"] == "Lamp"
    assert not job.image
    assert "image" in job.error
