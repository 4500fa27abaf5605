"""The couple's notification settings page: /registries/<slug>/notifications/."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.notifications.models import RegistryPreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OwnerMail = RegistryPreference.OwnerMail


def _url(registry) -> str:
    return reverse("notifications:settings", args=[registry.slug])


def test_the_dashboard_links_to_it(owner_client, registry):
    html = owner_client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()

    assert f'href="{_url(registry)}"' in html


def test_the_page_shows_the_choices_with_the_digest_chosen_by_default(owner_client, registry):
    response = owner_client.get(_url(registry))

    assert response.status_code == 200
    html = response.content.decode()
    for value in OwnerMail.values:
        assert f'value="{value}"' in html
    [checked] = re.findall(r'<input[^>]*value="(\w+)"[^>]*checked', html)
    assert checked == OwnerMail.DIGEST


def test_choosing_saves_the_preference(owner_client, registry):
    response = owner_client.post(_url(registry), {"owner_mail": "immediately"})

    assert response.status_code == 302
    assert response["Location"] == reverse("registries:dashboard", args=[registry.slug])
    assert RegistryPreference.objects.get(registry=registry).owner_mail == OwnerMail.IMMEDIATELY
    dashboard = owner_client.get(response["Location"]).content.decode()
    assert "Saved: we&#x27;ll email you about each new reservation." in dashboard
    html = owner_client.get(_url(registry)).content.decode()
    assert re.findall(r'<input[^>]*value="(\w+)"[^>]*checked', html) == [OwnerMail.IMMEDIATELY]


def test_switching_to_the_digest_starts_it_now(owner_client, registry):
    owner_client.post(_url(registry), {"owner_mail": "immediately"})

    owner_client.post(_url(registry), {"owner_mail": "digest"})

    assert RegistryPreference.objects.get(registry=registry).last_digest_at is not None


@pytest.mark.parametrize("value", ["", "sometimes", "<script>"])
def test_a_bad_choice_gets_a_message_and_changes_nothing(owner_client, registry, value):
    response = owner_client.post(_url(registry), {"owner_mail": value})

    assert response.status_code == 200
    assert "Please choose one of the options." in response.content.decode()
    assert not RegistryPreference.objects.exists()


def test_other_couples_get_a_404(other_client, registry):
    assert other_client.get(_url(registry)).status_code == 404
    assert other_client.post(_url(registry), {"owner_mail": "off"}).status_code == 404
    assert not RegistryPreference.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, registry):
    response = client.get(_url(registry))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unverified_owner_is_asked_to_verify_first(client, registry):
    unverified = UserFactory(email_verified=False)
    registry.owners.add(unverified)
    client.force_login(unverified)

    response = client.get(_url(registry))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verify_sent")
