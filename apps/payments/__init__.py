"""Payments: plans, orders, and PayPal IPNs that upgrade a registry."""
