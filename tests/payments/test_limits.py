"""apps.payments.limits: which plan a registry is on, and what it may do."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.payments import limits
from apps.payments.models import Order, Plan
from apps.registries import plans as registry_plans
from apps.registries.plans import PlanLimitReached
from tests.factories import ItemFactory, RegistryFactory
from tests.plan_rows import create_plans

PAID_FEATURES = ["cover_photo", "csv_export"]
# Guests' privacy and the gifts themselves are never a paid feature (issue 15):
# every plan allows a passphrase, funds and group gifts.
FEATURES = ["passphrase", "group_gifts", *PAID_FEATURES]


def _pay(order: Order, txn_id: str = "TXN0001") -> Order:
    order.status = Order.Status.PAID
    order.txn_id = txn_id
    order.save()
    return order


def test_data_migration_creates_free_and_premium(db):
    Plan.objects.all().delete()  # as if the table were new
    create_plans()
    create_plans()  # idempotent

    free, premium = Plan.objects.get(slug="free"), Plan.objects.get(slug="premium")
    assert Plan.objects.count() == 2
    assert (free.price, free.max_items) == (Decimal("0.00"), 30)
    assert (premium.price, premium.currency, premium.max_items) == (Decimal("39.00"), "USD", None)
    assert not any(free.allows(f) for f in PAID_FEATURES)
    assert free.allows("passphrase") and free.allows("group_gifts")
    assert all(premium.allows(f) for f in FEATURES)


def test_new_registry_is_free_in_one_query(registry, plans, django_assert_num_queries):
    with django_assert_num_queries(1):
        plan = limits.current_plan(registry)
    assert plan.slug == "free"
    assert limits.current_plan(registry).max_items == 30
    for feature in PAID_FEATURES:
        assert registry_plans.allows(registry, feature) is False
    assert registry_plans.allows(registry, "passphrase") is True


def test_pending_order_does_not_upgrade(order):
    assert limits.current_plan(order.registry).slug == "free"


def test_paid_order_upgrades_only_its_registry(order, other_couple, django_assert_num_queries):
    _pay(order)
    other = RegistryFactory(owners=[other_couple])

    with django_assert_num_queries(1):
        plan = limits.current_plan(order.registry)
    assert plan.slug == "premium"
    assert limits.current_plan(order.registry).max_items is None
    assert all(registry_plans.allows(order.registry, f) for f in FEATURES)
    assert limits.current_plan(other).slug == "free"


@pytest.mark.parametrize("status", [Order.Status.REFUNDED, Order.Status.REVERSED])
def test_refunded_or_reversed_order_is_back_to_free(order, status):
    _pay(order)
    Order.objects.filter(pk=order.pk).update(status=status)
    assert limits.current_plan(order.registry).slug == "free"
    assert registry_plans.allows(order.registry, "cover_photo") is False
    assert registry_plans.allows(order.registry, "passphrase") is True


def test_edited_limit_in_admin_applies(registry, plans):
    Plan.objects.filter(slug="free").update(max_items=2)
    ItemFactory.create_batch(2, registry=registry)
    assert limits.current_plan(registry).max_items == 2
    with pytest.raises(PlanLimitReached):
        registry_plans.ensure_can_add_item(registry)


def test_missing_free_row_still_limits(registry, db):
    Plan.objects.filter(slug="free").delete()
    assert limits.current_plan(registry).name == "Free"
    assert limits.current_plan(registry).max_items == 30


def test_can_add_item_up_to_thirty(registry, plans, django_assert_max_num_queries):
    ItemFactory.create_batch(29, registry=registry)
    with django_assert_max_num_queries(2):
        registry_plans.ensure_can_add_item(registry)  # does not raise
    ItemFactory(registry=registry)
    with pytest.raises(PlanLimitReached) as excinfo:
        registry_plans.ensure_can_add_item(registry)
    assert (excinfo.value.code, excinfo.value.params["max_items"]) == ("item_limit", 30)


def test_hidden_items_count_towards_the_limit(registry, plans):
    ItemFactory.create_batch(30, registry=registry, hidden=True)
    with pytest.raises(PlanLimitReached):
        registry_plans.ensure_can_add_item(registry)


def test_premium_registry_has_no_item_limit(order):
    _pay(order)
    ItemFactory.create_batch(31, registry=order.registry)
    registry_plans.ensure_can_add_item(order.registry)  # does not raise


def test_ensure_allows_says_what_needs_an_upgrade(registry, plans):
    with pytest.raises(PlanLimitReached) as excinfo:
        registry_plans.ensure_allows(registry, "cover_photo")
    assert excinfo.value.code == "feature_not_in_plan"
    assert excinfo.value.params["feature"] == registry_plans.FEATURE_NAMES["cover_photo"]
    registry_plans.ensure_allows(registry, "passphrase")  # does not raise: privacy is free


def test_unknown_feature_is_a_programming_error(registry, plans):
    with pytest.raises(ValueError, match="unknown feature"):
        registry_plans.allows(registry, "teleport")


def test_plans_for_many_registries_in_two_queries(order, other_couple, django_assert_num_queries):
    _pay(order)
    others = RegistryFactory.create_batch(3, owners=[other_couple])
    with django_assert_num_queries(2):
        result = limits.plans_for([order.registry, *others])
    assert result[order.registry.pk].slug == "premium"
    assert {result[r.pk].slug for r in others} == {"free"}


def test_a_registry_being_created_is_on_free(plans, django_assert_num_queries):
    new = RegistryFactory.build()
    with django_assert_num_queries(1):
        assert limits.current_plan(new).slug == "free"
    with pytest.raises(PlanLimitReached) as excinfo:
        registry_plans.ensure_allows(new, "cover_photo")
    assert excinfo.value.code == "feature_not_in_plan"
