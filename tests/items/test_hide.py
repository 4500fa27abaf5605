"""items:hide — hide a gift from guests, or show it again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.items.models import Item
from apps.registries.models import Registry

pytestmark = pytest.mark.django_db


def _url(item) -> str:
    return reverse("items:hide", args=[item.registry.slug, item.pk])


def test_post_toggles_hidden_and_bumps_the_versions(owner_client, registry, items):
    teapot = items[0]

    response = owner_client.post(_url(teapot))

    stored = Item.objects.get(pk=teapot.pk)
    assert response.status_code == 302
    assert (
        response["Location"] == reverse("registries:dashboard", args=[registry.slug]) + f"#item-{teapot.pk}"
    )
    assert stored.hidden is True
    assert stored.cache_version == 2
    assert Registry.objects.get(pk=registry.pk).cache_version == 2

    page = owner_client.post(_url(teapot), follow=True)

    assert Item.objects.get(pk=teapot.pk).hidden is False
    assert "“Teapot” is visible to guests again." in page.content.decode()


def test_the_dashboard_shows_show_for_a_hidden_item(owner_client, registry, items):
    owner_client.post(_url(items[0]))

    html = owner_client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()

    assert '<span class="badge badge--muted">Hidden</span>' in html
    assert ">Show</button>" in html


def test_get_changes_nothing(owner_client, items):
    assert owner_client.get(_url(items[0])).status_code == 405
    assert Item.objects.get(pk=items[0].pk).hidden is False


def test_another_couple_cannot_hide(other_client, items):
    assert other_client.post(_url(items[0])).status_code == 404
    assert Item.objects.get(pk=items[0].pk).hidden is False
