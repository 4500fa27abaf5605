"""Pure helpers of the benchmark (bench/run.py): wrk's output, forms, the machine.

No network and no Django here, so the doctests and tests/stack/test_bench_helpers.py
can check them quickly.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from pathlib import Path


def env_int(name: str, default: int, low: int, high: int) -> int:
    """An integer knob from the environment, kept within [low, high].

    >>> env_int("BENCH_DOCTEST_UNSET", 10, 1, 120)
    10
    """
    raw = os.environ.get(name, "").strip()
    value = int(raw) if raw else default
    return min(max(value, low), high)


# wrk's output ------------------------------------------------------------
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def latency_ms(text: str) -> float:
    """A wrk latency (``812.00us``, ``1.23ms``, ``2.01s``) in milliseconds.

    >>> latency_ms("812.00us"), latency_ms("1.23ms"), latency_ms("2.01s")
    (0.812, 1.23, 2010.0)
    """
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"not a wrk latency: {text!r}")
    return round(float(match.group(1)) * _UNITS_MS[match.group(2)], 3)


def parse_wrk(output: str) -> dict:
    """Requests/s, p50/p99 (ms), requests and failed requests from ``wrk --latency``.

    >>> out = '''Running 3s test @ http://127.0.0.1:58080/bench/floor/
    ...   Latency Distribution
    ...      50%    1.20ms
    ...      75%    1.50ms
    ...      90%    2.00ms
    ...      99%    4.50ms
    ...   3702 requests in 3.00s, 590.00KB read
    ...   Socket errors: connect 0, read 2, write 0, timeout 1
    ...   Non-2xx or 3xx responses: 4
    ... Requests/sec:   1234.50
    ... '''
    >>> parse_wrk(out)
    {'rps': 1234.5, 'p50_ms': 1.2, 'p99_ms': 4.5, 'requests': 3702, 'errors': 7}
    """
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    total = re.search(r"^\s+(\d+) requests in", output, re.M)
    if not (rps and p50 and p99 and total):
        raise ValueError("unexpected wrk output:\n" + output)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non2xx.group(1)) if non2xx else 0
    return {
        "rps": round(float(rps.group(1)), 1),
        "p50_ms": latency_ms(p50.group(1)),
        "p99_ms": latency_ms(p99.group(1)),
        "requests": int(total.group(1)),
        "errors": errors,
    }


def machine() -> str:
    """CPUs, CPU model and memory of this machine, in one line."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_gib = 0.0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text())
        mem_gib = int(kib.group(1)) / 1024 / 1024 if kib else 0.0
    return f"{os.cpu_count()} × {model}, {mem_gib:.1f} GiB RAM, {platform.system()} {platform.release()}"


def wrk_version() -> str:
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return ((done.stdout or done.stderr).splitlines() or [""])[0].strip()


def form_fields(form, values: dict[str, str]) -> dict[str, str]:
    """A form's fields as a browser would send them, with ``values`` filled in by name hints.

    >>> from bs4 import BeautifulSoup
    >>> html = '<form><input type="hidden" name="t" value="x"><input name="guest_email">'
    >>> html += '<textarea name="message"></textarea><select name="q"><option>1</option></select></form>'
    >>> form_fields(BeautifulSoup(html, "html.parser").form, {"email": "a@b.c"})
    {'t': 'x', 'guest_email': 'a@b.c', 'message': '', 'q': '1'}
    """
    data: dict[str, str] = {}
    for tag in form.find_all(["input", "textarea", "select"]):
        name = tag.get("name")
        kind = (tag.get("type") or "text").lower()
        if not name or kind in {"submit", "button", "image", "file", "reset"}:
            continue
        if kind in {"checkbox", "radio"} and not tag.has_attr("checked"):
            continue
        hint = next((v for k, v in values.items() if k in name.lower() or k == kind), None)
        if tag.name == "select":
            option = tag.find("option", selected=True) or tag.find("option")
            value = option.get("value", option.text) if option else ""
        elif tag.name == "textarea":
            value = tag.text
        else:
            value = tag.get("value", "")
        if hint is not None and kind != "hidden":
            value = hint
        data[name] = value
    return data
