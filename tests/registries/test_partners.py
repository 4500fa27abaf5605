"""registries:invite, registries:invitation, registries:remove_owner — two owners, through the pages."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.registries import invitations
from tests.factories import UserFactory
from tests.gifts import link_paths

pytestmark = pytest.mark.django_db

STRONG = "a-long-and-quite-unusual-passphrase-42"


def _dashboard(registry) -> str:
    return reverse("registries:dashboard", args=[registry.slug])


def _invite(owner_client, registry, email: str = "sam@example.com") -> str:
    """The owner invites ``email``; returns the path of the link in the mail."""
    response = owner_client.post(reverse("registries:invite", args=[registry.slug]), {"email": email})
    assert response.status_code == 302
    [path] = [p for p in link_paths(mail.outbox[-1]) if p.startswith("/invitations/")]
    return path


def test_the_dashboard_lists_the_owners_with_an_invite_form(owner_client, registry, couple):
    html = owner_client.get(_dashboard(registry)).content.decode()

    assert 'id="owners"' in html
    assert "alex@example.com" in html
    assert f'action="{reverse("registries:invite", args=[registry.slug])}"' in html
    # The only owner has no button to remove themselves.
    assert reverse("registries:remove_owner", args=[registry.slug, couple.pk]) not in html


def test_inviting_mails_the_partner(owner_client, registry):
    response = owner_client.post(
        reverse("registries:invite", args=[registry.slug]), {"email": "Sam@Example.com"}, follow=True
    )

    assert "We emailed an invitation to sam@example.com" in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["sam@example.com"]
    assert any(path.startswith("/invitations/") for path in link_paths(message))


@pytest.mark.parametrize(
    ("email", "error"),
    [("", "Enter your partner&#x27;s email address."), ("nope", "Enter a valid email address")],
)
def test_a_bad_address_invites_nobody(owner_client, registry, email, error):
    response = owner_client.post(
        reverse("registries:invite", args=[registry.slug]), {"email": email}, follow=True
    )

    assert error in response.content.decode()
    assert "Nobody was invited." in response.content.decode()
    assert mail.outbox == []


def test_inviting_an_owner_again_says_so(owner_client, registry):
    response = owner_client.post(
        reverse("registries:invite", args=[registry.slug]), {"email": "alex@example.com"}, follow=True
    )

    assert "alex@example.com is already an owner" in response.content.decode()
    assert mail.outbox == []


def test_strangers_cannot_invite(other_client, registry):
    response = other_client.post(
        reverse("registries:invite", args=[registry.slug]), {"email": "x@example.com"}
    )

    assert response.status_code == 404
    assert mail.outbox == []


def test_an_anonymous_visitor_is_asked_to_log_in_or_sign_up_as_the_invited_address(owner_client, registry):
    path = _invite(owner_client, registry)

    response = Client().get(path)
    html = response.content.decode()

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert "sam@example.com" in html
    assert "Alex &amp; Sam" in html
    assert f"{reverse('accounts:login')}?next={quote(path)}" in html
    assert reverse("accounts:signup") in html


def test_the_invitee_accepts_and_can_then_edit_everything(owner_client, registry):
    path = _invite(owner_client, registry)
    sam = UserFactory(email="sam@example.com", name="Sam")
    sam_client = Client()
    sam_client.force_login(sam)

    page = sam_client.get(path)
    assert page.status_code == 200
    assert 'type="submit"' in page.content.decode()
    assert not registry.owners.filter(pk=sam.pk).exists()  # opening the link changes nothing

    response = sam_client.post(path, follow=True)

    assert response.redirect_chain[-1][0] == _dashboard(registry)
    assert "You are now an owner of Alex &amp; Sam" in response.content.decode()
    assert registry.owners.filter(pk=sam.pk).exists()
    assert sam_client.get(reverse("registries:edit", args=[registry.slug])).status_code == 200
    assert sam_client.get(reverse("items:add", args=[registry.slug])).status_code == 200


def test_a_wrong_logged_in_address_is_refused_with_a_message(owner_client, registry, other_couple):
    path = _invite(owner_client, registry)
    jo = Client()
    jo.force_login(other_couple)

    for response in (jo.get(path), jo.post(path)):
        assert response.status_code == 403
        assert "This invitation is for sam@example.com, but you are logged in as jo@example.com" in (
            response.content.decode()
        )
    assert not registry.owners.filter(pk=other_couple.pk).exists()


def test_signing_up_and_verifying_then_the_link_still_works(owner_client, registry):
    path = _invite(owner_client, registry)
    sam_client = Client()

    signup = sam_client.post(
        reverse("accounts:signup"),
        {"name": "Sam", "email": "sam@example.com", "password1": STRONG, "password2": STRONG},
    )
    assert signup.status_code == 302
    # Not verified yet: the invitation waits for the address to be confirmed.
    early = sam_client.post(path)
    assert early["Location"] == reverse("accounts:verify_sent")
    sam = User.objects.get(email="sam@example.com")
    assert not registry.owners.filter(pk=sam.pk).exists()

    [verify_path] = [p for p in link_paths(mail.outbox[-1]) if p.startswith("/accounts/verify/")]
    sam_client.get(verify_path)
    response = sam_client.post(path)

    assert response["Location"] == _dashboard(registry)
    assert registry.owners.filter(pk=sam.pk).exists()


def test_create_an_account_fills_in_the_invited_address_and_verifying_lands_on_the_invitation(
    owner_client, registry
):
    path = _invite(owner_client, registry)
    sam_client = Client()
    invitation = sam_client.get(path).content.decode()
    [signup_url] = re.findall(r'href="(/accounts/signup/\?email=[^"]*)"', invitation)
    signup_url = signup_url.replace("&amp;", "&")

    form = sam_client.get(signup_url).content.decode()
    assert 'value="sam@example.com"' in form
    assert f'<input type="hidden" name="next" value="{path}">' in form

    fields = {"name": "Sam", "email": "sam@example.com", "password1": STRONG, "password2": STRONG}
    assert sam_client.post(signup_url, {**fields, "next": path}).status_code == 302
    [verify_link] = [p for p in link_paths(mail.outbox[-1], query=True) if p.startswith("/accounts/verify/")]
    verified = sam_client.get(verify_link, follow=True)

    assert verified.redirect_chain == [(path, 302)]  # the invitation, not "Create your registry"
    html = verified.content.decode()
    assert "your email address is verified" in html
    assert "Join Alex &amp; Sam" in html
    accepted = sam_client.post(path)
    assert accepted["Location"] == _dashboard(registry)
    assert registry.owners.filter(email="sam@example.com").exists()


def test_a_next_off_the_site_is_ignored(client):
    page = client.get(reverse("accounts:signup"), {"next": "https://evil.example/x"}).content.decode()
    signup_form = BeautifulSoup(page, "html.parser").find("form", action=reverse("accounts:signup"))
    assert signup_form.find("input", attrs={"name": "next"}) is None
    fields = {"name": "Kim", "email": "kim@example.com", "password1": STRONG, "password2": STRONG}
    client.post(reverse("accounts:signup"), {**fields, "next": "//evil.example/x"})
    [verify_link] = [p for p in link_paths(mail.outbox[-1], query=True) if p.startswith("/accounts/verify/")]
    assert "evil" not in verify_link
    assert Client().get(verify_link)["Location"] == reverse("registries:create")


@pytest.mark.parametrize("broken", ["tampered", "expired"])
def test_a_broken_link_is_refused_and_changes_nothing(owner_client, registry, settings, broken):
    path = _invite(owner_client, registry)
    sam_client = Client()
    sam_client.force_login(UserFactory(email="sam@example.com"))
    if broken == "tampered":
        path = path[:-3] + "xx/"
    else:
        settings.WHISPER_VERIFY_MAX_AGE = -1

    response = sam_client.post(path)

    assert response.status_code == 400
    assert ("not valid" if broken == "tampered" else "has expired") in response.content.decode()
    assert registry.owners.count() == 1


def test_either_owner_removes_the_other_but_not_the_last(owner_client, registry, couple):
    sam = UserFactory(email="sam@example.com", name="Sam")
    registry.owners.add(sam)
    sam_client = Client()
    sam_client.force_login(sam)

    html = owner_client.get(_dashboard(registry)).content.decode()
    assert reverse("registries:remove_owner", args=[registry.slug, sam.pk]) in html

    response = sam_client.post(
        reverse("registries:remove_owner", args=[registry.slug, couple.pk]), follow=True
    )

    assert "Alex no longer has access" in response.content.decode()
    assert list(registry.owners.all()) == [sam]
    assert owner_client.get(_dashboard(registry)).status_code == 404

    last = sam_client.post(reverse("registries:remove_owner", args=[registry.slug, sam.pk]), follow=True)

    assert "at least one owner" in last.content.decode()
    assert list(registry.owners.all()) == [sam]


def test_an_owner_can_leave_when_the_partner_stays(owner_client, registry, couple):
    registry.owners.add(UserFactory(email="sam@example.com"))

    response = owner_client.post(reverse("registries:remove_owner", args=[registry.slug, couple.pk]))

    assert response["Location"] == reverse("registries:mine")
    assert not registry.owners.filter(pk=couple.pk).exists()


def test_the_invitation_is_a_link_not_a_row(registry, couple):
    """Nothing is stored: the token alone names the registry and the address."""
    token = invitations.make_token(registry, "sam@example.com")
    found, email, _version = invitations.read_token(token)
    assert (found, email) == (registry, "sam@example.com")
