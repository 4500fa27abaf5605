"""What the payments app contributes to the apps below it: the answer to "what does this plan
allow", and the orders in an account's export.

Registered by ``PaymentsConfig.ready()`` (see ``apps.core.hooks``).
"""

from __future__ import annotations

from apps.registries import plans
from apps.registries.export import RegistryExport, exporting_registries, fields_of

from . import limits
from .models import Order

ORDER_FIELDS = ["invoice", "amount", "currency", "status", "created_at", "paid_at"]

plans.limits.register(limits)


@exporting_registries.register
def orders_part(export: RegistryExport) -> None:
    """Each registry's orders, with the plan each bought."""
    export.tables.append("orders")
    for row in export.rows.values():
        row["orders"] = []
    orders = Order.objects.filter(registry__in=export.registries).select_related("plan")
    for order in orders.order_by("created_at", "pk"):
        export.rows[order.registry_id]["orders"].append(
            {**fields_of(order, ORDER_FIELDS), "plan": order.plan.name}
        )
