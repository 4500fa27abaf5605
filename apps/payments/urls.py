"""Checkout, orders and the PayPal IPN endpoint (``/paypal/ipn/``)."""

from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("registries/<slug:slug>/upgrade/", views.upgrade, name="upgrade"),
    path("registries/<slug:slug>/upgrade/return/", views.payment_return, name="return"),
    path("registries/<slug:slug>/upgrade/cancel/", views.payment_cancel, name="cancel"),
    path("registries/<slug:slug>/orders/", views.orders, name="orders"),
    # django-paypal's own view behind a guard (see views.ipn); its urls.py
    # would mount it at the include's root, not at /paypal/ipn/.
    path("paypal/ipn/", views.ipn, name="ipn"),
]
