"""Shared fixtures: a couple, a registry with items, a guest."""

from __future__ import annotations

import copy
import shutil
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from apps.payments.models import Order, Plan
from tests.factories import PASSWORD, ItemFactory, RegistryFactory, UserFactory
from tests.plan_rows import create_plans


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migrations' data when it ends.

    A transactional test empties the tables when it ends. With
    ``serialized_rollback`` the rows the migrations made (plans, feature
    flags, the beat schedule, content types) are put back, and Django skips
    re-creating content types on that flush; mixing tests with and without it
    makes a later serialized test insert content types twice. So all of them
    use it, whichever way they asked for a transactional database.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
            {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        )
        if transactional and not (marker and marker.kwargs.get("serialized_rollback")):
            kwargs = {**(marker.kwargs if marker else {}), "transaction": True, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)  # first: the closest marker wins


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    """Each test gets an empty cache of its own on the real memcached (and in the process).

    A fresh key prefix per test, rather than a flush, so that test runs
    sharing one memcached (several developers, a stack test) never see or
    wipe each other's keys.
    """
    caches = copy.deepcopy(settings.CACHES)
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    for alias in caches:
        caches[alias]["KEY_PREFIX"] = prefix
    settings.CACHES = caches  # setting_changed resets the cache handlers
    yield


@pytest.fixture(autouse=True)
def _read_only_unseen():
    """Each test starts with no memory of the read-only switch (apps.ops.read_only)."""
    from apps.ops import read_only

    read_only._clear_seen()
    yield
    read_only._clear_seen()


@pytest.fixture(autouse=True)
def _outbox_delivery(request, settings):
    """When the outbox hands mail to the (eager) send task in tests.

    A test's transaction never commits, so on-commit callbacks only run
    inside ``django_capture_on_commit_callbacks``: tests that use it get the
    real order (mail goes out when the transaction commits); the others get
    each mail delivered as soon as it is written (``OUTBOX_DELIVER_ON_COMMIT``).
    """
    settings.OUTBOX_DELIVER_ON_COMMIT = "django_capture_on_commit_callbacks" in request.fixturenames


@pytest.fixture(autouse=True, scope="session")
def _jinja2_templates_recorded():
    """Jinja2's templates listed in ``response.templates`` too, as Django's test setup does for its own."""
    from django.template.backends.jinja2 import Template
    from django.test.signals import template_rendered

    render = Template.render

    def recorded(self, context=None, request=None):
        template_rendered.send(sender=self, template=self.template, context=dict(context or {}))
        return render(self, context, request)

    Template.render = recorded
    yield
    Template.render = render


@pytest.fixture(autouse=True, scope="session")
def _media_root():
    """Uploaded files go to a throwaway folder, removed after the run."""
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def couple(db):
    """A verified registry owner."""
    return UserFactory(email="alex@example.com", name="Alex")


@pytest.fixture
def registry(couple):
    """A public registry owned by ``couple``."""
    return RegistryFactory(slug="alex-and-sam", owners=[couple])


@pytest.fixture
def premium_registry(registry, couple):
    """``registry``, upgraded to Premium by a paid order (as ``seed_demo`` does, no PayPal involved)."""
    # The data migration's plans; transactional tests elsewhere may have flushed them.
    create_plans()
    premium = Plan.objects.get(slug="premium")
    Order.objects.create(
        registry=registry,
        plan=premium,
        created_by=couple,
        amount=premium.price,
        currency=premium.currency,
        status=Order.Status.PAID,
        txn_id="PREMIUM-FIXTURE",
        paid_at=timezone.now(),
    )
    return registry


@pytest.fixture
def items(registry):
    """Three items on ``registry``."""
    return [
        ItemFactory(registry=registry, title="Teapot", price="35.00", category="Kitchen", position=1),
        ItemFactory(
            registry=registry, title="Hammock", price="120.00", category="Garden", position=2, quantity=2
        ),
        ItemFactory(registry=registry, title="Gift card", price="50.00", unlimited=True, position=3),
    ]


@pytest.fixture
def owner_client(client, couple):
    """A test client logged in as ``couple``."""
    client.force_login(couple)
    return client


@pytest.fixture
def other_couple(db):
    return UserFactory(email="jo@example.com", name="Jo")


@pytest.fixture
def other_client(other_couple):
    """A second, unrelated couple's client (separate from ``client``)."""
    c = Client()
    c.force_login(other_couple)
    return c
