"""`make audit`: Lighthouse's phone profile on the guest page and the couple's dashboard.

Starts the embedded default (SQLite in a throwaway folder, ``seed_demo --items
200``, no DEBUG) on a free loopback port, logs the demo couple in by putting
a session cookie into Lighthouse's requests, runs Lighthouse (npm, pinned in
package.json) on Debian's chromium, and writes the four scores of each page
to docs/audit.md (and the full reports beside it, git-ignored, under .run/).

Targets (issue 17): accessibility and best practices 100 on both pages, SEO
100 on the guest page, performance at least 95.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
REPORT = ROOT / "docs" / "audit.md"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
PAGES = [
    ("Guest registry page", "/r/alex-and-sam/", False),
    ("Couple's dashboard", "/registries/alex-and-sam/", True),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else ""


SESSION_SNIPPET = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from importlib import import_module
from django.conf import settings
user = get_user_model().objects.get(email__iexact="demo@example.com")
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.save()
print(settings.SESSION_COOKIE_NAME + "=" + store.session_key)
"""


def _lighthouse(url: str, out: Path, cookie: str | None) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--form-factor=mobile",
        "--chrome-flags=--headless=new --no-sandbox",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROME})
    report = json.loads(out.read_text())
    return {c: round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES} | {
        "elements": report["audits"].get("dom-size", {}).get("numericValue"),
        "fcp": report["audits"].get("first-contentful-paint", {}).get("displayValue", ""),
        "failed": [
            f"{a['id']}"
            for c in CATEGORIES
            for ref in report["categories"][c]["auditRefs"]
            if ref.get("weight")
            and (a := report["audits"][ref["id"]]).get("score") is not None
            and a["score"] < 1
        ],
    }


def main() -> int:
    if not LIGHTHOUSE.exists():
        print("audit: npm ci first (lighthouse is pinned in package.json)", file=sys.stderr)
        return 2
    run_dir = Path(tempfile.mkdtemp(prefix="whisper-audit-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "whisper.settings.audit", "WHISPER_RUN_DIR": str(run_dir)}
    env.pop("DB_NAME", None)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "seed_demo", "--items", "200")
    cookie = _manage(env, "shell", "-c", SESSION_SNIPPET, capture=True).strip().splitlines()[-1]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--insecure", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(60):
            try:
                urllib.request.urlopen(base + "/", timeout=2)  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.5)
        rows = []
        for name, path, logged_in in PAGES:
            urllib.request.urlopen(base + (path if not logged_in else "/"), timeout=30)  # noqa: S310 (warm caches)
            scores = _lighthouse(
                base + path,
                run_dir / f"{path.strip('/').replace('/', '-')}.json",
                cookie if logged_in else None,
            )
            rows.append((name, path, scores))
            print(f"audit: {name}: {scores}")
    finally:
        server.terminate()
        server.wait(timeout=20)
    _write(rows)
    missed = [
        f"{name} {c} {s[c]} < {TARGETS[c]}"
        for name, path, s in rows
        for c in CATEGORIES
        if s[c] < TARGETS[c] and not (c == "seo" and path.startswith("/registries/"))
    ]
    print("audit: all targets met" if not missed else "audit: below target: " + "; ".join(missed))
    return 0


def _write(rows: list) -> None:
    lines = [
        "# Lighthouse audit",
        "",
        "Written by `make audit` (scripts/audit.py): Lighthouse "
        + json.loads((ROOT / "package.json").read_text())["dependencies"]["lighthouse"]
        + ", phone profile, headless Debian chromium, the demo registry with 200 gifts "
        "(`seed_demo --items 200`), on the embedded default without DEBUG.",
        "",
        "| page | performance | accessibility | best practices | SEO | elements | first paint |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, path, s in rows:
        seo = s["seo"] if not path.startswith("/registries/") else f"{s['seo']} (not indexed)"
        lines.append(
            f"| {name} (`{path}`) | {s['performance']} | {s['accessibility']} | {s['best-practices']} "
            f"| {seo} | {int(s['elements'] or 0)} | {s['fcp']} |"
        )
    lines += ["", "Audits below a full score:", ""]
    for name, _path, s in rows:
        lines.append(f"- {name}: {', '.join(s['failed']) or 'none'}")
    REPORT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
