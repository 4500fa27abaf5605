"""Security headers: a strict Content-Security-Policy everywhere (and pages that
keep it honest: no inline script or style at all), and in production HSTS,
X-Frame-Options, Referrer-Policy, nosniff, and secure HttpOnly cookies —
with ``manage.py check --deploy`` clean.
"""

from __future__ import annotations

import importlib
import os
import secrets
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse
from paypal.standard import conf as paypal_conf

from apps.core.security import ContentSecurityPolicyMiddleware
from tests.factories import RegistryFactory
from tests.security.crawl import inline_code, staff_routes, visit

pytestmark = pytest.mark.django_db

EXPECTED = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "frame-ancestors": {"'none'"},
    "base-uri": {"'none'"},
    "object-src": {"'none'"},
}
# What production.py sets for HTTPS (read from the module, not copied).
PRODUCTION_SECURITY = [
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
]


def _policy(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def production(monkeypatch):
    """The security settings of whisper/settings/production.py."""
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(50))
    module = importlib.import_module("whisper.settings.production")
    module = importlib.reload(module)
    return {name: getattr(module, name) for name in PRODUCTION_SECURITY}


def test_every_page_has_a_strict_content_security_policy(client, couple, registry):
    policy = _policy(client.get(reverse("registries:public", args=[registry.slug])))
    for name, values in EXPECTED.items():
        assert policy[name] == values, name
    assert policy["form-action"] == {
        "'self'",
        _origin(paypal_conf.LOGIN_URL),
        _origin(paypal_conf.SANDBOX_LOGIN_URL),
    }
    header = client.get("/").get("Content-Security-Policy", "")
    assert "unsafe" not in header


def test_the_upgrade_form_may_post_to_paypal_and_nowhere_else(site):
    free = RegistryFactory(owners=[site.couple])  # on Free: the page offers Premium
    page = site.owner.get(reverse("payments:upgrade", args=[free.slug]))
    assert page.status_code == 200
    action = _origin(paypal_conf.SANDBOX_LOGIN_URL if settings.PAYPAL_TEST else paypal_conf.LOGIN_URL)
    assert f'action="{action}' in page.content.decode()
    assert action in _policy(page)["form-action"]


def test_errors_and_refusals_carry_the_policy_too(client, db):
    for response in (client.get("/no-such-page/"), Client(enforce_csrf_checks=True).post("/accounts/login/")):
        assert "default-src 'self'" in response["Content-Security-Policy"]


def test_production_sends_the_security_headers_over_https(production, couple):
    with override_settings(**production):
        client = Client()
        response = client.get("/", secure=True)
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]

        assert client.get("/", secure=False)["Location"].startswith("https://")  # plain HTTP goes to HTTPS

        login = client.get(reverse("accounts:login"), secure=True)
        csrf = login.cookies[settings.CSRF_COOKIE_NAME]
        assert csrf["secure"] and csrf["httponly"]
        response = client.post(
            reverse("accounts:login"),
            {
                "username": couple.email,
                "password": "correct-horse-battery",
                "csrfmiddlewaretoken": csrf.value,
            },
            secure=True,
        )
        assert response.status_code == 302
        session = response.cookies[settings.SESSION_COOKIE_NAME]
        assert session["secure"] and session["httponly"]
        assert session["samesite"] == "Lax"


def test_check_deploy_is_clean(tmp_path):
    # A production process: none of the test run's own variables (the browser
    # tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright, which --deploy rejects),
    # with its static files built as a deploy builds them (the check wants their manifests).
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "whisper.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "whisper.example",
        "STATIC_ROOT": str(tmp_path / "static"),
    }

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    for build in (["collectstatic", "--noinput", "-v", "0"], ["compress", "--force"]):
        assert manage(*build).returncode == 0
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


# Third-party admin pages with an inline script the CSP blocks; they work without it.
# django-celery-beat: the script only shows crontabs in words next to the select.
THIRD_PARTY_INLINE = {"admin:django_celery_beat_periodictask_add"}


def test_no_page_has_inline_script_or_style(site):
    """A strict CSP blocks inline code: every page a visitor can reach must have none."""
    pages = {}
    pages |= visit(site.owner, site.world, owner_side=True).pages
    pages |= visit(Client(), site.world, owner_side=False).pages
    pages |= visit(site.guest, site.other_world, owner_side=False).pages
    site.staff.is_superuser = True  # every admin page, too
    site.staff.save()
    for route in staff_routes():
        response = site.staff_client.get(reverse(route.name))
        if response.status_code == 200:
            pages[route.name] = response.content.decode()
    pages["404"] = Client().get("/no-such-page/").content.decode()
    pages["csrf"] = Client(enforce_csrf_checks=True).post(reverse("accounts:login")).content.decode()
    assert len(pages) >= 60
    problems = {url: found for url, html in pages.items() if (found := inline_code(html))}
    assert set(problems) <= THIRD_PARTY_INLINE, problems


def test_the_policy_is_built_once_and_a_response_with_its_own_keeps_it(rf, settings):
    site = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("page"))
    assert site(rf.get("/"))["Content-Security-Policy"] == build_policy()
    sandboxed = HttpResponse(headers={"Content-Security-Policy": "sandbox"})
    own = ContentSecurityPolicyMiddleware(lambda request: sandboxed)
    assert own(rf.get("/"))["Content-Security-Policy"] == "sandbox"
    settings.DEBUG = True  # Django's debug pages style themselves inline
    missing = ContentSecurityPolicyMiddleware(lambda request: HttpResponse(status=404))
    assert "Content-Security-Policy" not in missing(rf.get("/"))
