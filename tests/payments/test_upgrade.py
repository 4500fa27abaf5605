"""The upgrade page and PayPal's way back: payments:upgrade, payments:return, payments:cancel."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse

from apps.payments.models import Order, Plan
from tests.factories import ItemFactory, UserFactory
from tests.payments.conftest import view_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(registry) -> str:
    return reverse("payments:upgrade", args=[registry.slug])


def _paypal_fields(html: str) -> QueryDict:
    """The hidden fields of the form that posts to PayPal, as PayPal would receive them."""
    form = re.search(r'<form action="https://www\.(?:sandbox\.)?paypal\.com/.*?</form>', html, re.S)
    assert form, "no form posting to PayPal"
    fields = QueryDict(mutable=True)
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group()):
        fields[name] = value.replace("&amp;", "&").replace("&#x27;", "'").replace("&quot;", '"')
    return fields


def test_upgrade_page_opens_a_pending_order_and_shows_the_paypal_form(
    owner_client, registry, premium, url, settings
):
    assert url == f"/registries/{registry.slug}/upgrade/"
    response = owner_client.get(url)

    assert response.status_code == 200
    order = Order.objects.get()
    assert (order.registry, order.plan, order.status) == (registry, premium, Order.Status.PENDING)
    assert (order.amount, order.currency) == (Decimal("39.00"), "USD")
    html = response.content.decode()
    assert 'action="https://www.sandbox.paypal.com/cgi-bin/webscr"' in html
    assert "Pay $39.00 with PayPal" in html
    fields = _paypal_fields(html)
    assert fields["business"] == settings.PAYPAL_RECEIVER_EMAIL
    assert fields["amount"] == "39.00"
    assert fields["currency_code"] == "USD"
    assert fields["invoice"] == order.invoice
    assert fields["cmd"] == "_xclick"
    assert fields["notify_url"] == settings.SITE_URL + "/paypal/ipn/"
    assert fields["return"] == settings.SITE_URL + f"/registries/{registry.slug}/upgrade/return/"
    assert fields["cancel_return"] == settings.SITE_URL + f"/registries/{registry.slug}/upgrade/cancel/"
    assert fields["item_name"] == "Whisper Premium — Alex & Sam"
    assert "csrfmiddlewaretoken" not in fields  # never post our CSRF token to PayPal


def test_live_mode_posts_to_paypal_proper(owner_client, premium, url, settings):
    settings.PAYPAL_TEST = False
    response = owner_client.get(url)
    assert 'action="https://www.paypal.com/cgi-bin/webscr"' in response.content.decode()


def test_reloading_reuses_the_pending_order(owner_client, premium, url):
    first = owner_client.get(url)
    second = owner_client.get(url)
    assert Order.objects.count() == 1
    invoice = Order.objects.get().invoice
    assert invoice in first.content.decode() and invoice in second.content.decode()


def test_a_new_price_gets_a_new_order(owner_client, premium, url):
    owner_client.get(url)
    Plan.objects.filter(pk=premium.pk).update(price=Decimal("49.00"))
    response = owner_client.get(url)
    assert Order.objects.count() == 2
    assert "Pay $49.00 with PayPal" in response.content.decode()


def test_every_order_gets_its_own_invoice(owner_client, premium, url):
    owner_client.get(url)
    Order.objects.update(status=Order.Status.REFUNDED, txn_id="TXN1")
    owner_client.get(url)
    invoices = list(Order.objects.values_list("invoice", flat=True))
    assert len(invoices) == len(set(invoices)) == 2


def test_already_upgraded_registry_gets_no_new_order(owner_client, order, url):
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID, txn_id="TXN1")
    response = owner_client.get(url)
    assert response.status_code == 200
    assert "already has everything Premium offers" in response.content.decode()
    assert Order.objects.count() == 1


def test_no_purchasable_plan_says_so(owner_client, premium, url):
    Plan.objects.filter(pk=premium.pk).update(active=False)
    response = owner_client.get(url)
    assert response.status_code == 200
    assert "nothing to buy" in response.content.decode()
    assert Order.objects.count() == 0


def test_unknown_plan_parameter_falls_back_to_the_default(owner_client, premium, url):
    response = owner_client.get(url, {"plan": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert Order.objects.get().plan == premium
    assert "<script>alert(1)" not in response.content.decode()


def test_other_couples_get_a_404(other_client, premium, url):
    assert other_client.get(url).status_code == 404
    assert Order.objects.count() == 0


def test_anonymous_is_sent_to_log_in(client, premium, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Order.objects.count() == 0


def test_unverified_owner_must_verify_first(client, registry, premium, url):
    unverified = UserFactory(email_verified=False)
    registry.owners.add(unverified)
    client.force_login(unverified)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verify_sent")
    assert Order.objects.count() == 0


def test_post_is_not_allowed(owner_client, premium, url):
    assert owner_client.post(url).status_code == 405
    assert Order.objects.count() == 0


def test_upgrade_page_queries_do_not_grow_with_items(owner_client, registry, premium, url):
    owner_client.get(url)  # the pending order exists from now on
    assert len(view_queries(owner_client, url)) == 5  # user, registry, current plan, plans, pending order
    ItemFactory.create_batch(20, registry=registry)
    assert len(view_queries(owner_client, url)) == 5


@pytest.mark.parametrize("status", [Order.Status.PENDING, Order.Status.PAID])
def test_return_page_says_the_upgrade_follows(owner_client, order, status):
    Order.objects.filter(pk=order.pk).update(status=status)
    url = reverse("payments:return", args=[order.registry.slug])
    response = owner_client.get(url)
    assert response.status_code == 200
    assert (
        "Payment received — your upgrade appears as soon as PayPal confirms it" in response.content.decode()
    )
    # PayPal may POST the buyer back (other account settings); no CSRF failure.
    owner_client.handler.enforce_csrf_checks = True
    assert owner_client.post(url, {"payment_status": "Completed"}).status_code == 200


@pytest.mark.parametrize("status", [None, Order.Status.REFUNDED, Order.Status.REVERSED])
def test_return_page_opened_without_a_payment_says_none_was_found(owner_client, order, status):
    if status is None:
        order.delete()
    else:
        Order.objects.filter(pk=order.pk).update(status=status)
    response = owner_client.get(reverse("payments:return", args=[order.registry.slug]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Payment received" not in html
    assert "No payment found" in html
    assert f'href="{reverse("payments:upgrade", args=[order.registry.slug])}"' in html


def test_return_page_does_not_upgrade(owner_client, order):
    owner_client.post(
        reverse("payments:return", args=[order.registry.slug]),
        {"payment_status": "Completed", "invoice": order.invoice, "txn_id": "FAKE"},
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_cancel_page(owner_client, registry):
    response = owner_client.get(reverse("payments:cancel", args=[registry.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Payment cancelled" in html
    assert reverse("payments:upgrade", args=[registry.slug]) in html


@pytest.mark.parametrize("name", ["return", "cancel"])
def test_return_and_cancel_are_for_owners_only(other_client, registry, name):
    assert other_client.get(reverse(f"payments:{name}", args=[registry.slug])).status_code == 404
