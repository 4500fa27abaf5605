"""bench/helpers.py: reading wrk's output as wrk really prints it."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

from bench.helpers import as_wrk, form_fields, latency_ms, parse_wrk

DATA = Path(__file__).parent / "data"


def test_parses_a_real_wrk_run():
    result = parse_wrk((DATA / "wrk-floor.txt").read_text())
    assert result == {"rps": 240.0, "p50_ms": 30.15, "p99_ms": 455.42, "requests": 484, "errors": 0}


def test_counts_error_responses_as_failures():
    result = parse_wrk((DATA / "wrk-404.txt").read_text())
    assert result["requests"] == 39
    assert result["errors"] == 39


def test_output_without_a_latency_distribution_is_refused():
    text = (DATA / "wrk-floor.txt").read_text()
    without = "\n".join(line for line in text.splitlines() if "%" not in line or "Latency " in line)
    with pytest.raises(ValueError, match="unexpected wrk output"):
        parse_wrk(without)


@pytest.mark.parametrize(("text", "ms"), [("950.00us", 0.95), ("4.20ms", 4.2), ("1.50s", 1500.0)])
def test_latency_units(text, ms):
    assert latency_ms(text) == ms


def test_form_fields_fill_what_a_guest_types_and_keep_hidden_tokens():
    html = """<form method="post">
      <input type="hidden" name="csrfmiddlewaretoken" value="tok">
      <input type="text" name="guest_name" required>
      <input type="email" name="guest_email">
      <input type="number" name="quantity" value="1">
      <input type="checkbox" name="subscribe">
      <textarea name="message">hi</textarea>
      <button type="submit" name="go">Reserve</button>
    </form>"""
    form = BeautifulSoup(html, "html.parser").form
    data = form_fields(form, {"email": "g@example.com", "name": "Guest", "csrf": "forged"})
    assert data == {
        "csrfmiddlewaretoken": "tok",
        "guest_name": "Guest",
        "guest_email": "g@example.com",
        "quantity": "1",
        "message": "hi",
    }


def test_a_probe_asks_for_the_encoding_wrk_asks_for():
    # The registry page has one ETag per encoding: the bench's probes must check the answer
    # wrk will get, not the one requests' default "Accept-Encoding: gzip, deflate" gets.
    session = requests.Session()
    plain = session.prepare_request(requests.Request("GET", "http://127.0.0.1/", headers=as_wrk({})))
    assert "Accept-Encoding" not in plain.headers
    gzip = session.prepare_request(
        requests.Request("GET", "http://127.0.0.1/", headers=as_wrk({"Accept-Encoding": "gzip"}))
    )
    assert gzip.headers["Accept-Encoding"] == "gzip"
