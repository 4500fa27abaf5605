"""Feature flags around the importer, group gifts and the digest mail."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from waffle.models import Flag

from apps.ops import flags
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FEATURES = [flags.IMPORTER, flags.GROUP_GIFTS, flags.DIGEST_MAIL]


def request_as(user=None):
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    return request


def turn(name: str, everyone: bool | None, django_capture_on_commit_callbacks, **fields) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        flag = Flag.objects.get(name=name)
        flag.everyone = everyone
        for field, value in fields.items():
            setattr(flag, field, value)
        flag.save()


@pytest.mark.parametrize("name", FEATURES)
def test_features_are_on_for_everyone_after_migrating(name):
    assert Flag.objects.get(name=name).everyone is True
    assert flags.is_enabled(name) is True
    assert flags.is_enabled(name, request_as()) is True


@pytest.mark.parametrize("name", FEATURES)
def test_an_operator_turns_a_feature_off_without_a_deploy(name, django_capture_on_commit_callbacks):
    assert flags.is_enabled(name) is True  # cached as on

    turn(name, False, django_capture_on_commit_callbacks)

    assert flags.is_enabled(name) is False
    assert flags.is_enabled(name, request_as(UserFactory(is_superuser=True))) is False


def test_staff_only_needs_a_request(django_capture_on_commit_callbacks):
    turn(flags.GROUP_GIFTS, None, django_capture_on_commit_callbacks, staff=True)

    assert flags.is_enabled(flags.GROUP_GIFTS, request_as(UserFactory(is_staff=True))) is True
    assert flags.is_enabled(flags.GROUP_GIFTS, request_as(UserFactory())) is False
    assert flags.is_enabled(flags.GROUP_GIFTS) is False


def test_a_lost_flag_leaves_its_feature_on_and_unknown_flags_are_off():
    Flag.objects.filter(name=flags.IMPORTER).delete()

    assert flags.is_enabled(flags.IMPORTER) is True
    assert flags.is_enabled("no_such_feature") is False


def test_templates_read_flags_from_the_context(django_capture_on_commit_callbacks):
    turn(flags.DIGEST_MAIL, False, django_capture_on_commit_callbacks)
    template = engines["django"].from_string(
        "{% if flags.importer %}importer{% endif %}|{% if flags.digest_mail %}digest{% endif %}"
    )

    assert template.render(request=request_as()) == "importer|"
