"""The IPN endpoint /paypal/ipn/, driven as PayPal drives it, against a loopback PayPal.

Only a verified IPN for our receiver, the order's amount and currency, with a
``Completed`` status and a transaction seen for the first time upgrades a
registry; everything else changes nothing, says why, and never answers 500.
"""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from paypal.standard.ipn.models import PayPalIPN

from apps.payments import limits
from apps.payments.models import IpnDecision, Order
from tests.payments.conftest import FORM, INVOICE, IPN_URL, TXN_ID, ipn_body, post_ipn

pytestmark = pytest.mark.django_db


def _order() -> Order:
    return Order.objects.get(invoice=INVOICE)


def _decisions() -> list[tuple[str, str]]:
    return list(IpnDecision.objects.order_by("id").values_list("outcome", "reason"))


def _assert_not_upgraded(order: Order) -> None:
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert order.txn_id == ""
    assert limits.current_plan(order.registry).slug == "free"


def test_completed_payment_upgrades_the_registry(client, paypal, order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_ipn(client, ipn_body("completed"))

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.txn_id == TXN_ID
    assert order.paid_at is not None
    assert order.payer_email == "robin@buyer.example"
    assert limits.current_plan(order.registry).slug == "premium"
    # django-paypal stored the IPN and verified it with our stand-in.
    ipn = PayPalIPN.objects.get()
    assert (ipn.flag, ipn.response) == (False, "VERIFIED")
    assert paypal.received == [b"cmd=_notify-validate&" + ipn_body("completed").encode()]
    assert _decisions() == [("applied", "Paid $39.00: registry upgraded to Premium.")]
    # The couple hear about it, once the payment has committed.
    assert [m.to for m in mail.outbox] == [["alex@example.com"]]
    assert "Premium" in mail.outbox[0].subject
    assert INVOICE in mail.outbox[0].body


def test_bumps_the_public_page_cache_version(client, paypal, order):
    before = order.registry.cache_version
    post_ipn(client, ipn_body("completed"))
    order.registry.refresh_from_db()
    assert order.registry.cache_version == before + 1


def test_the_same_ipn_twice_upgrades_once(client, paypal, order):
    assert post_ipn(client, ipn_body("completed")).status_code == 200
    assert post_ipn(client, ipn_body("completed")).status_code == 200

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert PayPalIPN.objects.count() == 2
    outcomes = IpnDecision.objects.order_by("id").values_list("outcome", flat=True)
    assert list(outcomes) == ["applied", "rejected"]
    assert "already applied" in IpnDecision.objects.latest("id").reason
    assert Order.objects.paid().count() == 1


def test_pending_then_completed_upgrades_on_completed(client, paypal, order):
    post_ipn(client, ipn_body("pending"))
    _assert_not_upgraded(order)
    assert "'Pending' changes nothing" in IpnDecision.objects.get().reason

    post_ipn(client, ipn_body("completed"))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"receiver_email": "mallory@evil.example"}, "is not our PayPal account"),
        ({"receiver_email": None}, "is not our PayPal account"),
        ({"mc_gross": "0.39"}, "Amount 0.39 does not match the order's 39.00"),
        ({"mc_gross": "390.00"}, "Amount 390.00 does not match"),
        ({"mc_currency": "EUR"}, "Currency 'EUR' does not match the order's USD"),
        ({"invoice": "WSP-SOMEONE-ELSES"}, "No order for invoice 'WSP-SOMEONE-ELSES'"),
        ({"invoice": None}, "No order for invoice '(none)'"),
        ({"payment_status": "Pending"}, "'Pending' changes nothing"),
        ({"payment_status": "Denied"}, "'Denied' changes nothing"),
        ({"payment_status": "Refunded"}, "so a refund changes nothing"),  # nothing paid to refund
    ],
)
def test_verified_but_wrong_ipn_changes_nothing(client, paypal, order, changes, reason):
    response = post_ipn(client, ipn_body("completed", **changes))

    assert response.status_code == 200  # PayPal must not keep resending it
    _assert_not_upgraded(order)
    decision = IpnDecision.objects.get()
    assert decision.outcome == "rejected"
    assert reason in decision.reason
    assert mail.outbox == []


def test_invalid_postback_changes_nothing(client, paypal, order):
    paypal.answer = "INVALID"
    response = post_ipn(client, ipn_body("completed"))

    assert response.status_code == 200
    _assert_not_upgraded(order)
    assert PayPalIPN.objects.get().flag is True
    assert _decisions() == [("rejected", "Not verified: Invalid postback. (INVALID)")]


def test_sandbox_ipn_is_refused_on_the_live_site(client, paypal, order, settings):
    settings.PAYPAL_TEST = False
    post_ipn(client, ipn_body("completed"))  # test_ipn=1
    _assert_not_upgraded(order)
    assert _decisions() == [("rejected", "A sandbox IPN reached the live site.")]


def test_live_ipn_is_verified_against_the_live_endpoint(client, paypal, order, settings, monkeypatch):
    import paypal.standard.models as paypal_models

    settings.PAYPAL_TEST = False
    monkeypatch.setattr(paypal_models, "SANDBOX_POSTBACK_ENDPOINT", "http://127.0.0.1:9/not-here")
    post_ipn(client, ipn_body("completed", test_ipn=None))  # live IPNs carry no test_ipn
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


@pytest.mark.parametrize("answer", ["HANG", "ERROR"])
def test_postback_timeout_or_error_stores_nothing_and_asks_for_a_retry(client, paypal, order, answer):
    paypal.answer = answer
    response = post_ipn(client, ipn_body("completed"))

    assert response.status_code == 503
    assert b"send it again" in response.content
    assert len(paypal.received) == 1
    _assert_not_upgraded(order)
    assert PayPalIPN.objects.count() == 0
    assert IpnDecision.objects.count() == 0

    # PayPal retries once we answer again; the payment then goes through.
    paypal.answer = "VERIFIED"
    paypal.released.set()
    assert post_ipn(client, ipn_body("completed")).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_malformed_body_is_stored_flagged_and_changes_nothing(client, paypal, order):
    response = post_ipn(client, ipn_body("malformed"))

    assert response.status_code == 200
    _assert_not_upgraded(order)
    assert paypal.received == []  # never verified: django-paypal rejected the form first
    decision = IpnDecision.objects.get()
    assert decision.outcome == "rejected"
    assert "Invalid form" in decision.reason


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"%%%",
        b"payment_status=Completed&charset=no-such-charset&invoice=" + INVOICE.encode(),
        b"payment_status=Completed&charset=utf-16&invoice=" + INVOICE.encode(),
        b"payment_status=Completed&first_name=%00%00&invoice=" + INVOICE.encode(),
        b"mc_gross=1e999&payment_status=Completed&invoice=" + INVOICE.encode(),
        b"x=" + b"A" * 100_000,
        b"payment_status=Completed&charset=idna&first_name="
        + b"x" * 100,  # a charset Django cannot unquote with
    ],
)
# django-paypal calls warnings.warn() on an unknown charset; pytest would turn
# that into an exception, production only logs it.
@pytest.mark.filterwarnings("ignore:This method \\(or branch\\) is not covered:UserWarning")
def test_garbage_never_upgrades_and_never_500s(client, paypal, order, body):
    response = post_ipn(client, body)
    assert response.status_code in {200, 400, 415}
    _assert_not_upgraded(order)
    assert PayPalIPN.objects.count() == IpnDecision.objects.filter(outcome="rejected").count() == 1


def _rejected_as_unreadable(reason: str) -> None:
    """The body was stored flagged, escaped to printable ASCII, and rejected with ``reason``."""
    ipn = PayPalIPN.objects.get()
    assert ipn.flag is True
    assert ipn.query.isprintable() and ipn.query.isascii()
    decision = IpnDecision.objects.get()
    assert (decision.ipn, decision.outcome) == (ipn, "rejected")
    assert reason in decision.reason


def test_non_ascii_body_is_a_400_and_rejected_on_record(client, paypal, order):
    response = post_ipn(client, ipn_body("completed").encode() + "&first_name=Zoë".encode())
    assert response.status_code == 400
    _rejected_as_unreadable("URL-encoded ASCII")
    assert PayPalIPN.objects.get().query.endswith("first_name=Zo%C3%AB")
    _assert_not_upgraded(order)


@pytest.mark.parametrize("nul", [b"\x00", b"\x00\x00\x00"])
def test_a_raw_nul_byte_is_a_400_and_rejected_on_record(client, paypal, order, nul):
    response = post_ipn(client, ipn_body("completed").encode() + b"&first_name=Ro" + nul + b"bin")
    assert response.status_code == 400
    _rejected_as_unreadable("without NUL bytes")
    assert paypal.received == []
    _assert_not_upgraded(order)


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain", "multipart/form-data; boundary=x"]
)
def test_wrong_content_type_is_a_415_and_rejected_on_record(client, paypal, order, content_type):
    response = post_ipn(client, ipn_body("completed"), content_type=content_type)
    assert response.status_code == 415
    assert b"x-www-form-urlencoded" in response.content
    _rejected_as_unreadable("x-www-form-urlencoded")
    _assert_not_upgraded(order)


@pytest.mark.parametrize("charset", ["latin-1", "utf-16", "windows-1252"])
def test_a_charset_on_the_content_type_is_a_400_and_rejected_on_record(client, paypal, order, charset):
    response = client.generic(
        "POST", IPN_URL, ipn_body("completed"), content_type=f"{FORM}; charset={charset}"
    )
    assert response.status_code == 400
    _rejected_as_unreadable("must be UTF-8 encoded")
    _assert_not_upgraded(order)


def test_a_body_over_the_upload_limit_is_a_400_and_rejected_on_record(client, paypal, order, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_ipn(client, ipn_body("completed") + "&custom=" + "x" * 1000)
    assert response.status_code == 400
    _rejected_as_unreadable("exceeded")
    _assert_not_upgraded(order)


@pytest.mark.parametrize("length", [20, 64, 255])
def test_a_long_transaction_id_that_django_paypal_stores_is_decided_on(client, paypal, order, length):
    txn_id = "7" * length
    response = post_ipn(client, ipn_body("completed", txn_id=txn_id))

    assert response.status_code == 200
    assert _decisions() == [("applied", "Paid $39.00: registry upgraded to Premium.")]
    order.refresh_from_db()
    assert (order.status, order.txn_id) == (Order.Status.PAID, txn_id)


def test_a_transaction_id_longer_than_django_paypal_stores_is_rejected(client, paypal, order):
    response = post_ipn(client, ipn_body("completed", txn_id="7" * 256))

    assert response.status_code == 200
    _assert_not_upgraded(order)
    assert "Invalid form" in IpnDecision.objects.get().reason


def test_whatever_django_paypal_cannot_store_is_a_400_and_rejected_on_record(
    client, paypal, order, monkeypatch
):
    from paypal.standard.ipn import views as paypal_views

    def choke(request):
        PayPalIPN.objects.create(txn_id="half-written")  # then the library chokes on the bytes
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")

    monkeypatch.setattr(paypal_views, "ipn", choke)
    response = post_ipn(client, ipn_body("completed"))

    assert response.status_code == 400
    _rejected_as_unreadable("Could not take this IPN: A string literal cannot contain NUL")
    _assert_not_upgraded(order)


def test_get_is_not_allowed(client, paypal):
    assert client.get("/paypal/ipn/").status_code == 405


def test_csrf_is_not_required(paypal, order):
    csrf_client = Client(enforce_csrf_checks=True)
    assert post_ipn(csrf_client, ipn_body("completed")).status_code == 200
    assert _order().status == Order.Status.PAID


def test_paid_order_ignores_a_second_payment(client, paypal, order):
    post_ipn(client, ipn_body("completed"))
    post_ipn(client, ipn_body("completed", txn_id="0AB12345CD6789012"))

    order.refresh_from_db()
    assert order.txn_id == TXN_ID
    assert IpnDecision.objects.latest("id").reason == "The order is paid, not waiting for payment."


# Refunds and reversals ------------------------------------------------------


@pytest.fixture
def paid(client, paypal, order) -> Order:
    post_ipn(client, ipn_body("completed"))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return order


def test_refund_downgrades_and_keeps_the_data(client, paid, items):
    assert post_ipn(client, ipn_body("refunded")).status_code == 200

    paid.refresh_from_db()
    assert paid.status == Order.Status.REFUNDED
    assert paid.txn_id == TXN_ID
    assert limits.current_plan(paid.registry).slug == "free"
    assert paid.registry.items.count() == 3
    assert IpnDecision.objects.latest("id").reason == "Refunded: the registry is back on the Free plan."


def test_refund_twice_is_harmless(client, paid):
    post_ipn(client, ipn_body("refunded"))
    post_ipn(client, ipn_body("refunded"))
    paid.refresh_from_db()
    assert paid.status == Order.Status.REFUNDED
    assert list(
        IpnDecision.objects.filter(action="refund").order_by("id").values_list("outcome", flat=True)
    ) == [
        "applied",
        "rejected",
    ]


def test_partial_refund_keeps_the_upgrade(client, paid):
    post_ipn(client, ipn_body("refunded", mc_gross="-10.00"))
    paid.refresh_from_db()
    assert paid.status == Order.Status.PAID
    assert "Partial refund of 10.00 of 39.00" in IpnDecision.objects.latest("id").reason


def test_refund_of_an_unknown_payment_changes_nothing(client, paid):
    post_ipn(client, ipn_body("refunded", parent_txn_id="1XX00000XX0000000"))
    paid.refresh_from_db()
    assert paid.status == Order.Status.PAID


def test_refund_naming_another_invoice_changes_nothing(client, paid):
    post_ipn(client, ipn_body("refunded", invoice="WSP-OTHER"))
    paid.refresh_from_db()
    assert paid.status == Order.Status.PAID
    assert "does not belong to transaction" in IpnDecision.objects.latest("id").reason


def test_refund_for_another_receiver_changes_nothing(client, paid):
    post_ipn(client, ipn_body("refunded", receiver_email="mallory@evil.example"))
    paid.refresh_from_db()
    assert paid.status == Order.Status.PAID


def test_unverified_refund_changes_nothing(client, paypal, paid):
    paypal.answer = "INVALID"
    post_ipn(client, ipn_body("refunded"))
    paid.refresh_from_db()
    assert paid.status == Order.Status.PAID


def test_reversal_downgrades_and_canceled_reversal_restores(client, paid):
    post_ipn(client, ipn_body("reversed"))
    paid.refresh_from_db()
    assert paid.status == Order.Status.REVERSED
    assert limits.current_plan(paid.registry).slug == "free"

    post_ipn(client, ipn_body("canceled_reversal"))
    paid.refresh_from_db()
    assert paid.status == Order.Status.PAID
    assert limits.current_plan(paid.registry).slug == "premium"

    post_ipn(client, ipn_body("canceled_reversal"))  # a repeat changes nothing
    paid.refresh_from_db()
    assert paid.status == Order.Status.PAID
    actions = IpnDecision.objects.order_by("id").values_list("action", "outcome")
    assert list(actions) == [
        ("payment", "applied"),
        ("reversal", "applied"),
        ("canceled_reversal", "applied"),
        ("canceled_reversal", "rejected"),
    ]


def test_canceled_reversal_does_not_undo_a_refund(client, paid):
    post_ipn(client, ipn_body("refunded"))
    post_ipn(client, ipn_body("canceled_reversal"))
    paid.refresh_from_db()
    assert paid.status == Order.Status.REFUNDED
    assert limits.current_plan(paid.registry).slug == "free"


def test_refund_before_payment_changes_nothing(client, paypal, order):
    Order.objects.filter(pk=order.pk).update(txn_id=TXN_ID)  # as if linked, yet unpaid
    post_ipn(client, ipn_body("refunded"))
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


# Races ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_ipns_for_one_invoice_at_once_apply_once(paypal, order, settings):
    """Two different IPNs for the same invoice, verified at the same moment."""
    settings.PAYPAL_POSTBACK_TIMEOUT = 10  # the first postback waits for the second
    paypal.barrier = threading.Barrier(2)  # both postbacks wait for each other
    bodies = [ipn_body("completed"), ipn_body("completed", txn_id="0AB12345CD6789012")]
    statuses: list[int] = []
    errors: list[BaseException] = []

    def send(body: str) -> None:
        try:
            statuses.append(Client().post("/paypal/ipn/", data=body, content_type=FORM).status_code)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert statuses == [200, 200]
    assert len(paypal.received) == 2
    assert PayPalIPN.objects.count() == 2
    order = _order()
    assert order.status == Order.Status.PAID
    assert order.txn_id in {TXN_ID, "0AB12345CD6789012"}
    outcomes = sorted(IpnDecision.objects.values_list("outcome", flat=True))
    assert outcomes == ["applied", "rejected"]
    assert Order.objects.paid().count() == 1


def test_metrics_count_upgrades_and_revenue(client, paypal, order, monkeypatch):
    counted: list[tuple] = []
    monkeypatch.setattr("apps.payments.services.count", lambda *args: counted.append(args))
    post_ipn(client, ipn_body("completed"))
    post_ipn(client, ipn_body("completed"))  # a repeat counts nothing
    post_ipn(client, ipn_body("reversed"))
    post_ipn(client, ipn_body("canceled_reversal"))
    post_ipn(client, ipn_body("refunded"))
    assert counted == [
        ("upgrades",),
        ("revenue", 3900),
        ("revenue", -3900),
        ("revenue", 3900),
        ("revenue", -3900),
    ]


def test_a_failure_midway_applies_nothing_and_the_retry_applies_it(paypal, order, monkeypatch):
    """If applying breaks half-way, nothing is kept; PayPal's resend then goes through."""
    from apps.registries.models import Registry

    def broken(self):
        raise RuntimeError("database hiccup")

    client = Client(raise_request_exception=False)
    with monkeypatch.context() as patched:
        patched.setattr(Registry, "bump_version", broken)
        assert post_ipn(client, ipn_body("completed")).status_code == 500  # PayPal will resend
    _assert_not_upgraded(order)
    assert IpnDecision.objects.count() == 0

    assert PayPalIPN.objects.count() == 0  # not even the IPN: the resend is not a duplicate of it

    assert post_ipn(client, ipn_body("completed")).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert PayPalIPN.objects.get().flag is False
    assert _decisions() == [("applied", "Paid $39.00: registry upgraded to Premium.")]
