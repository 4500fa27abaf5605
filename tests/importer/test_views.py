"""importer:start and importer:job, and the add-a-gift form they lead to (items:add?import=<id>).

Against the loopback store of conftest.py; the import task runs eagerly when
the on-commit callbacks run.
"""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.importer.models import ImportJob
from apps.items.models import Item
from apps.ops import flags
from tests.factories import RegistryFactory
from tests.gifts import switch_off

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _start(registry) -> str:
    return reverse("importer:start", args=[registry.slug])


def _add(registry, job=None) -> str:
    url = reverse("items:add", args=[registry.slug])
    return f"{url}?import={job.pk}" if job else url


def _import(owner_client, registry, url: str, capture) -> ImportJob:
    """Paste ``url`` and let the worker run; returns the job."""
    with capture(execute=True):
        response = owner_client.post(_start(registry), {"url": url})
    job = ImportJob.objects.get(url=url)
    assert response.status_code == 302
    assert response["Location"] == reverse("importer:job", args=[registry.slug, job.pk])
    return job


def test_start_to_job_to_a_prefilled_form_to_a_gift(
    owner_client, registry, couple, store, django_capture_on_commit_callbacks
):
    job = _import(owner_client, registry, f"{store}/jsonld", django_capture_on_commit_callbacks)
    assert (job.status, job.created_by, job.registry) == (ImportJob.Status.DONE, couple, registry)

    page = owner_client.get(reverse("importer:job", args=[registry.slug, job.pk]))
    assert page.status_code == 302
    assert page["Location"] == _add(registry, job)

    form = owner_client.get(page["Location"])
    html = form.content.decode()
    assert form.status_code == 200
    assert 'value="Copper Kettle 1.5 L"' in html
    assert "A kettle &amp;amp; more." in html  # the page's text, escaped like anything typed
    assert 'name="price" value="89.90"' in html
    assert '<option value="EUR" selected>' in html
    assert f'value="{store}/jsonld"' in html
    assert "The picture from the product page" in html

    data = {
        "title": "Copper Kettle 1.5 L",
        "description": "A kettle",
        "price": "89.90",
        "currency": "EUR",
        "quantity": "1",
        "store_url": f"{store}/jsonld",
        "priority": "2",
    }
    saved = owner_client.post(page["Location"], data)

    assert saved.status_code == 302
    item = Item.objects.get(registry=registry)
    assert (item.title, item.price, item.currency, item.store_url) == (
        "Copper Kettle 1.5 L",
        Decimal("89.90"),
        "EUR",
        f"{store}/jsonld",
    )
    assert item.image.name.startswith("items/")
    assert item.image.name != job.image.name  # a copy: the job's file may go
    with item.image.open("rb") as copied, job.image.open("rb") as original:
        assert copied.read() == original.read()


def test_the_couple_can_replace_or_keep_the_picture_through_a_validation_error(
    owner_client, registry, store, django_capture_on_commit_callbacks
):
    job = _import(owner_client, registry, f"{store}/og", django_capture_on_commit_callbacks)

    invalid = owner_client.post(_add(registry, job), {"title": "", "quantity": "1", "priority": "2"})

    assert invalid.status_code == 200
    html = invalid.content.decode()
    assert "This field is required." in html
    assert "The picture from the product page" in html  # still there
    valid = owner_client.post(
        _add(registry, job), {"title": "Linen bedding", "quantity": "1", "priority": "2", "currency": "USD"}
    )
    assert valid.status_code == 302
    assert Item.objects.get(registry=registry).image.name.startswith("items/")


def test_a_running_job_refreshes_itself_without_javascript(owner_client, registry, couple):
    job = ImportJob.objects.create(registry=registry, created_by=couple, url="https://shop.example/teapot")

    response = owner_client.get(reverse("importer:job", args=[registry.slug, job.pk]))
    html = response.content.decode()

    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "https://shop.example/teapot" in html
    assert "<script" not in html
    # The form cannot be pre-filled yet: it sends the couple back here.
    assert owner_client.get(_add(registry, job))["Location"] == reverse(
        "importer:job", args=[registry.slug, job.pk]
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [("/notfound", "404"), ("/pdf", ""), ("/garbage", ""), ("/empty", "couldn&#x27;t find a product")],
)
def test_a_failed_fetch_shows_its_message_and_the_empty_form(
    owner_client, registry, store, django_capture_on_commit_callbacks, path, message
):
    job = _import(owner_client, registry, f"{store}{path}", django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED

    response = owner_client.get(
        owner_client.get(reverse("importer:job", args=[registry.slug, job.pk]))["Location"]
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "We couldn't read that product page" in html
    assert message in html
    assert 'name="title" maxlength="200" required' in html  # empty
    assert f'value="{store}{path}"' in html  # the store link is kept
    assert "The picture from the product page" not in html


def test_a_blocked_address_fails_with_a_message_not_a_500(
    owner_client, registry, django_capture_on_commit_callbacks
):
    job = _import(owner_client, registry, "http://127.0.0.1:9/admin", django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.FAILED
    response = owner_client.get(_add(registry, job))
    assert response.status_code == 200
    assert job.error in response.content.decode().replace("&#x27;", "'")


def test_under_eager_tasks_the_web_request_is_bounded_by_the_deadline(
    owner_client, registry, store, settings, django_capture_on_commit_callbacks
):
    # As under `make run`: the import runs inside the POST, against a store trickling a byte at a time.
    settings.IMPORTER_TOTAL_TIMEOUT = 1.2
    started = time.monotonic()
    job = _import(owner_client, registry, f"{store}/trickle", django_capture_on_commit_callbacks)
    assert time.monotonic() - started < 2.5
    assert (job.status, job.error_code) == (ImportJob.Status.FAILED, "timeout")
    assert "The store took too long to answer" in owner_client.get(_add(registry, job)).content.decode()


def test_a_name_that_does_not_resolve_says_so_not_private_network(
    owner_client, registry, django_capture_on_commit_callbacks
):
    url = "http://no-such-shop.invalid/teapot"
    job = _import(owner_client, registry, url, django_capture_on_commit_callbacks)
    html = owner_client.get(_add(registry, job)).content.decode()
    assert job.error_code == "dns"
    assert "find that store&#x27;s address (no-such-shop.invalid)" in html
    assert "private" not in html


def test_a_job_whose_worker_died_stops_refreshing_and_says_so(owner_client, registry, couple):
    job = ImportJob.objects.create(registry=registry, created_by=couple, url="https://shop.example/teapot")
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - timedelta(minutes=10))

    response = owner_client.get(reverse("importer:job", args=[registry.slug, job.pk]))
    assert response.status_code == 302
    assert response["Location"] == _add(registry, job)
    html = owner_client.get(response["Location"]).content.decode()
    assert "took far too long and was given up" in html
    assert 'http-equiv="refresh"' not in html
    job.refresh_from_db()
    assert (job.status, job.error_code) == (ImportJob.Status.FAILED, "stalled")


def test_another_couples_job_is_a_404(owner_client, other_client, registry, couple, other_couple):
    job = ImportJob.objects.create(registry=registry, created_by=couple, url="https://shop.example/x")
    theirs = RegistryFactory(owners=[other_couple])

    assert other_client.get(reverse("importer:job", args=[registry.slug, job.pk])).status_code == 404
    assert other_client.get(reverse("importer:job", args=[theirs.slug, job.pk])).status_code == 404
    assert other_client.get(_add(theirs, job)).status_code == 404
    assert owner_client.get(f"{_add(registry)}?import=nonsense").status_code == 404


def test_get_shows_the_form_prefilled_and_never_fetches(owner_client, registry, store, store_hits):
    url = f"{store}/jsonld"

    response = owner_client.get(_start(registry), {"url": url})

    assert response.status_code == 200
    assert f'value="{url}"' in response.content.decode()
    assert not ImportJob.objects.exists()
    assert store_hits == []


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("", "Paste the address of the product"),
        ("javascript:alert(1)", "Enter a web link starting with http:// or https://."),
        ("ftp://shop.example/x", "Enter a web link starting with http:// or https://."),
    ],
)
def test_a_bad_link_starts_nothing(owner_client, registry, url, error):
    response = owner_client.post(_start(registry), {"url": url})

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ImportJob.objects.exists()


def test_strangers_cannot_start_imports(client, other_client, registry):
    assert other_client.post(_start(registry), {"url": "https://shop.example/x"}).status_code == 404
    anonymous = client.post(_start(registry), {"url": "https://shop.example/x"})
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    assert not ImportJob.objects.exists()


def test_the_dashboard_and_the_add_page_offer_a_link_form_and_the_bookmarklet(owner_client, registry):
    dashboard = owner_client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()
    add = owner_client.get(_add(registry)).content.decode()

    for html in (dashboard, add):
        assert f'action="{_start(registry)}"' in html
        assert 'name="url"' in html
    expected = f'href="javascript:location.href=&quot;http://testserver{_start(registry)}?url=&quot;'
    assert expected + '+encodeURIComponent(location.href)"' in dashboard
    assert "Add to Whisper" in dashboard


def test_with_the_flag_off_the_pages_are_404_and_the_forms_hidden(
    owner_client, registry, couple, django_capture_on_commit_callbacks
):
    job = ImportJob.objects.create(registry=registry, created_by=couple, url="https://shop.example/x")
    switch_off(flags.IMPORTER, django_capture_on_commit_callbacks)

    assert owner_client.get(_start(registry)).status_code == 404
    assert owner_client.post(_start(registry), {"url": "https://shop.example/y"}).status_code == 404
    assert owner_client.get(reverse("importer:job", args=[registry.slug, job.pk])).status_code == 404
    dashboard = owner_client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()
    add = owner_client.get(_add(registry, job))
    assert _start(registry) not in dashboard
    assert "Add to Whisper" not in dashboard
    assert add.status_code == 200  # the ?import= is ignored: a plain form
    assert _start(registry) not in add.content.decode()
    assert ImportJob.objects.count() == 1
