"""Every page the crawler reaches, every error page and every mail, in a pseudo-locale.

Each message of the catalogs reads "⟦message⟧" in ``en-xa`` (tests/i18n/pseudo.py).
Rendered in it, a page may show nothing outside the markers but data: what the
couple and their guests typed, amounts, dates, links, digits and punctuation.
A word left outside is a word a German or French reader would get in English:
a string someone forgot to wrap, or a catalog someone forgot to update
(``manage.py makemessages``, README "Languages").
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import resolve
from django.utils import translation

from apps.core import emails
from apps.registries.models import Registry
from tests.i18n import pseudo
from tests.notifications.test_mail_templates import NAMES, _context
from tests.security.crawl import CSRF_EXEMPT, forms_on, visit

pytestmark = pytest.mark.django_db

ERROR_PAGES = [
    "400.html",
    "403.html",
    "403_csrf.html",
    "404.html",
    "429.html",
    "500.html",
    "503.html",
    "ops/read_only.html",
    "accounts/locked_out.html",
]


def _speaking(client: Client, language: str) -> Client:
    client.cookies["django_language"] = language
    return client


def _problems(pages: dict[str, str], data: list[str]) -> list[str]:
    problems = []
    for where, html in pages.items():
        if runs := pseudo.unmarked(pseudo.shown_text(html), data):
            problems.append(f"{where}: {runs}")
    return problems


def test_every_page_the_crawler_reaches_is_translated(site, pseudo_locale):
    visits = [
        ("the couple", _speaking(site.owner, pseudo_locale), site.world, True),
        ("an anonymous guest", _speaking(site.anonymous, pseudo_locale), site.world, False),
        ("a guest with a claim", _speaking(site.guest, pseudo_locale), site.other_world, False),
    ]
    pages, errors = {}, []
    for who, client, world, owner_side in visits:
        seen = visit(client, world, owner_side=owner_side)
        errors += seen.errors
        pages.update({f"{who} at {url}": html for url, html in seen.pages.items()})
    assert not errors, errors
    # The couple's dashboard and page with the other spoiler settings.
    for spoilers in (Registry.Spoilers.COUNTS, Registry.Spoilers.NONE):
        Registry.objects.filter(pk=site.registry.pk).update(spoilers=spoilers)
        for path in (f"/registries/{site.registry.slug}/", site.registry.get_absolute_url()):
            response = site.owner.get(path)
            assert response.status_code == 200
            pages[f"the couple at {path} ({spoilers})"] = response.content.decode()
    # The pages are the ones the crawler always finds: the couple's and the guests'.
    assert len(pages) >= 40, sorted(pages)
    assert f"the couple at /registries/{site.registry.slug}/" in pages  # the dashboard
    assert [where for where, html in pages.items() if f'<html lang="{pseudo_locale}">' not in html] == []

    problems = _problems(pages, pseudo.data_of_the_database())
    assert not problems, "Text outside the translation markers:\n" + "\n".join(problems)


def test_every_form_sent_empty_shows_its_errors_translated(site, pseudo_locale):
    """Each form of the crawled pages, sent with its text fields empty: the page it leads to, translated."""
    pages = {}
    for who, user, world, owner_side in [
        ("the couple", site.couple, site.world, True),
        ("an anonymous guest", None, site.world, False),
    ]:
        client = _speaking(Client(), pseudo_locale)
        if user is not None:
            client.force_login(user)
        for url, html in visit(client, world, owner_side=owner_side).pages.items():
            for form in forms_on(url, html):
                view = resolve(form.action.split("?")[0]).view_name
                if view in CSRF_EXEMPT or view == "accounts:logout":
                    continue
                with transaction.atomic():  # followed: the page after it, with its message
                    blank = dict.fromkeys(form.text_fields, "")
                    response = client.post(form.action, form.fields(**blank), follow=True)
                    transaction.set_rollback(True)
                if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                    pages[f"{who}: {form}"] = response.content.decode()
    # Sign-up, log-in, the registry and gift forms, reserve, pledge, at least.
    assert len(pages) >= 8, sorted(pages)
    assert sum('class="field__errors"' in html or "form-errors" in html for html in pages.values()) >= 6

    problems = _problems(pages, pseudo.data_of_the_database())
    assert not problems, "Text outside the translation markers:\n" + "\n".join(problems)


def test_the_error_pages_are_translated(site, pseudo_locale):
    request = RequestFactory().get("/somewhere/")
    request.user = site.couple
    pages = {}
    with translation.override(pseudo_locale):
        for name in ERROR_PAGES:
            context = {"retry_minutes": 5, "cooloff_text": "15 minutes", "no_cookie": True}
            pages[name] = render_to_string(name, context, request=request)
        missing = _speaking(site.anonymous, pseudo_locale).get("/no-such-page-at-all/")
    assert missing.status_code == 404
    pages["a missing page"] = missing.content.decode()

    problems = _problems(pages, [*pseudo.data_of_the_database(), "15 minutes"])  # the context's own words
    assert not problems, "Text outside the translation markers:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", NAMES)
def test_every_mail_is_translated(name, pseudo_locale):
    variants = [
        {},
        {"view": "counts", "units": 2, "count": 3},
        {"days_left": 0},
        {"days_left": 1, "to_thank": 1},
    ]
    mails = {}
    for changes in variants:
        context = {**_context(name), **changes}
        with translation.override(pseudo_locale):
            subject, text, html = emails.render(name, context)
        mails[f"{name} {changes} subject"] = f"<p>{subject}</p>"
        mails[f"{name} {changes} text"] = f"<pre>{text}</pre>"
        mails[f"{name} {changes} html"] = html
    assert f'<html lang="{pseudo_locale}">' in html

    # The context's own values (tests/notifications/test_mail_templates.py): names, durations, amounts.
    data = [*pseudo.data_of_the_database(), "Robin", "Enjoy!", "Teapot", "Premium", "7 days", "20.00 EUR"]
    problems = _problems(mails, data)
    assert not problems, "Text outside the translation markers:\n" + "\n".join(problems)


def test_the_javascript_catalog_serves_the_scripts_words(client, pseudo_locale):
    response = _speaking(client, pseudo_locale).get("/jsi18n/")

    assert response.status_code == 200
    assert json.dumps("⟦Saving the new order…⟧") in response.content.decode()  # as the script holds it
