"""The couple's orders page (payments:orders) and the staff admin for plans, orders and IPNs."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.payments.models import Order
from tests.factories import ItemFactory, UserFactory
from tests.payments.conftest import ipn_body, post_ipn, view_queries

pytestmark = pytest.mark.django_db
_txn_ids = (f"TXN{n:06d}" for n in itertools.count())


@pytest.fixture
def url(registry) -> str:
    return reverse("payments:orders", args=[registry.slug])


def _orders(registry, premium, n: int, status=Order.Status.REFUNDED) -> list[Order]:
    return [
        Order.objects.create(
            registry=registry,
            plan=premium,
            amount=Decimal("39.00"),
            currency="USD",
            status=status,
            txn_id=next(_txn_ids),
        )
        for _ in range(n)
    ]


def test_free_registry_without_orders(owner_client, registry, plans, items, url):
    assert url == f"/registries/{registry.slug}/orders/"
    response = owner_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "on the <strong>Free</strong> plan" in html
    assert "(3 of 30 gifts)" in html
    assert "No orders yet." in html
    assert reverse("payments:upgrade", args=[registry.slug]) in html
    # The rule for refunds is stated where the couple reads their orders.
    assert "items over the free limit stay visible to guests and can still be reserved" in html


def test_paid_order_shows_premium_and_its_state(owner_client, client, paypal, order, url):
    post_ipn(client, ipn_body("completed"))
    html = owner_client.get(url).content.decode()
    assert "on the <strong>Premium</strong> plan" in html
    assert "(unlimited gifts)" in html
    assert order.invoice in html
    assert ">Paid</span>" in html
    assert "Upgrade this registry" not in html


def test_refunded_registry_over_the_limit_is_told_what_happens(owner_client, registry, premium, url):
    _orders(registry, premium, 1, status=Order.Status.REFUNDED)
    ItemFactory.create_batch(31, registry=registry)
    html = owner_client.get(url).content.decode()
    assert ">Refunded</span>" in html
    assert "This registry has 31 gifts; the Free plan holds 30." in html
    assert "cannot add gifts until you are under the limit or upgrade" in html


def test_pending_order_is_shown_as_waiting(owner_client, order, url):
    html = owner_client.get(url).content.decode()
    assert ">Waiting for PayPal</span>" in html


def test_query_count_does_not_grow_with_orders(owner_client, registry, premium, url):
    _orders(registry, premium, 1)
    assert len(view_queries(owner_client, url)) == 5  # user, registry, plan, item count, orders
    _orders(registry, premium, 10)
    ItemFactory.create_batch(5, registry=registry)
    assert len(view_queries(owner_client, url)) == 5


def test_other_couples_get_a_404(other_client, order, url):
    response = other_client.get(url)
    assert response.status_code == 404
    assert order.invoice not in response.content.decode()


def test_anonymous_is_sent_to_log_in(client, order, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# Admin ----------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_see_orders_and_ipn_decisions(staff_client, client, paypal, order):
    post_ipn(client, ipn_body("completed"))
    post_ipn(client, ipn_body("completed", mc_gross="1.00", txn_id="0AB12345CD6789012"))

    orders = staff_client.get(reverse("admin:payments_order_changelist"))
    assert orders.status_code == 200
    assert order.invoice in orders.content.decode()
    decisions = staff_client.get(reverse("admin:payments_ipndecision_changelist"))
    assert decisions.status_code == 200
    html = decisions.content.decode()
    assert "Paid $39.00: registry upgraded to Premium." in html
    assert "The order is paid, not waiting for payment." in html
    detail = staff_client.get(reverse("admin:payments_order_change", args=[order.pk]))
    assert detail.status_code == 200
    assert "registry upgraded to Premium" in detail.content.decode()
    ipns = staff_client.get(reverse("admin:ipn_paypalipn_changelist"))
    assert ipns.status_code == 200


def test_staff_edit_plans(staff_client, premium):
    response = staff_client.get(reverse("admin:payments_plan_change", args=[premium.pk]))
    assert response.status_code == 200
    assert "Premium" in response.content.decode()
