"""The account page: address, its verification, password and name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import RegistryFactory

URL = reverse("accounts:settings")


@pytest.mark.django_db
def test_anonymous_visitors_are_asked_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={URL}"


def test_shows_a_verified_address_and_the_ways_to_change_things(owner_client):
    response = owner_client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "alex@example.com" in content
    assert "Verified" in content
    assert "Not verified yet" not in content
    assert reverse("accounts:password_change") in content
    assert reverse("accounts:email_change") in content
    assert reverse("accounts:verify_resend") not in content


def test_an_unverified_address_is_flagged_with_a_resend_button(unverified_client):
    content = unverified_client.get(URL).content.decode()

    assert "robin@example.com" in content
    assert "Not verified yet" in content
    assert reverse("accounts:verify_resend") in content


def test_saves_a_new_name(owner_client, couple):
    response = owner_client.post(URL, {"name": "  Alexandra "})

    assert response.status_code == 302
    couple.refresh_from_db()
    assert couple.name == "Alexandra"
    assert "Hello, Alexandra." in owner_client.get(URL).content.decode()


def test_an_empty_name_is_refused(owner_client, couple):
    response = owner_client.post(URL, {"name": "   "})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    couple.refresh_from_db()
    assert couple.name == "Alex"


def test_html_in_the_name_is_escaped(owner_client, couple):
    owner_client.post(URL, {"name": "<b>Alex</b>"})

    content = owner_client.get(URL).content.decode()
    assert "<b>Alex</b>" not in content
    assert "Hello, &lt;b&gt;Alex&lt;/b&gt;." in content


def test_queries_stay_few_whatever_the_number_of_registries(
    owner_client, couple, django_assert_max_num_queries
):
    RegistryFactory.create_batch(5, owners=[couple])
    # At most: the session (on a cache miss), the user, the read-only switch.
    with django_assert_max_num_queries(3):
        response = owner_client.get(URL)
    assert response.status_code == 200
