"""The Django admin for accounts: list, search, add and change, by email."""

from __future__ import annotations

from django.urls import reverse

from apps.accounts.models import User

CHANGELIST = reverse("admin:accounts_user_changelist")
ADD = reverse("admin:accounts_user_add")


def test_list_shows_accounts_by_email(admin_client, couple, other_couple):
    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    content = response.content.decode()
    assert "alex@example.com" in content
    assert "jo@example.com" in content


def test_search_by_email_or_name(admin_client, couple, other_couple):
    content = admin_client.get(CHANGELIST, {"q": "alex"}).content.decode()
    assert "alex@example.com" in content
    assert "jo@example.com" not in content


def test_add_an_account(admin_client):
    assert admin_client.get(ADD).status_code == 200
    response = admin_client.post(
        ADD,
        {
            "email": "New.Couple@Example.com",
            "name": "Kim",
            "usable_password": "true",
            "password1": "lantern-orchard-42",
            "password2": "lantern-orchard-42",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.couple@example.com")
    assert user.name == "Kim"
    assert user.check_password("lantern-orchard-42")


def test_add_refuses_an_address_in_use_in_any_case(admin_client, couple):
    response = admin_client.post(
        ADD,
        {
            "email": "ALEX@example.com",
            "name": "Alex again",
            "usable_password": "true",
            "password1": "lantern-orchard-42",
            "password2": "lantern-orchard-42",
        },
    )

    assert response.status_code == 200
    assert "An account with this email address already exists" in response.content.decode()
    assert User.objects.filter(email__iexact="alex@example.com").count() == 1


def _change_data(user: User, **overrides) -> dict:
    data = {
        "email": user.email,
        "name": user.name,
        "email_verified": "on",
        "is_active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_change_an_account(admin_client, couple):
    url = reverse("admin:accounts_user_change", args=[couple.pk])
    assert "alex@example.com" in admin_client.get(url).content.decode()

    response = admin_client.post(url, _change_data(couple, name="Alexandra", email_verified=None))

    assert response.status_code == 302
    couple.refresh_from_db()
    assert couple.name == "Alexandra"
    assert not couple.email_verified


def test_change_refuses_an_address_in_use_in_any_case(admin_client, couple, other_couple):
    url = reverse("admin:accounts_user_change", args=[couple.pk])

    response = admin_client.post(url, _change_data(couple, email="Jo@Example.com"))

    assert response.status_code == 200
    assert "An account with this email address already exists" in response.content.decode()
    couple.refresh_from_db()
    assert couple.email == "alex@example.com"
