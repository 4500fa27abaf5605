from django.urls import path

from .views import owner, partners, public, share

app_name = "registries"
urlpatterns = [
    # The guests' public page first: the busiest URL of the site is matched
    # before any other (Django tries patterns in order).
    path("r/<slug:slug>/", public.registry, name="public"),
    # The couple's side (login required, owners only).
    path("registries/", owner.mine, name="mine"),
    path("registries/new/", owner.create, name="create"),
    path("registries/<slug:slug>/", owner.dashboard, name="dashboard"),
    path("registries/<slug:slug>/edit/", owner.edit, name="edit"),
    path("registries/<slug:slug>/share/", share.card, name="share"),
    path("registries/<slug:slug>/shared/", owner.shared, name="shared"),
    path("registries/<slug:slug>/checklist/dismiss/", owner.dismiss_checklist, name="dismiss_checklist"),
    # Two owners: invite the partner, accept (whoever has the link), remove.
    path("registries/<slug:slug>/owners/invite/", partners.invite, name="invite"),
    path("registries/<slug:slug>/owners/<int:user_id>/remove/", partners.remove_owner, name="remove_owner"),
    path("invitations/<str:token>/", partners.invitation, name="invitation"),
    # The guests' side (no account).
    path("search/", public.search, name="search"),
    path("r/<slug:slug>/passphrase/", public.passphrase, name="passphrase"),
    # Sharing: the QR code of the address, and the picture of the link preview.
    path("r/<slug:slug>/qr.svg", share.qr, name="qr"),
    path("r/<slug:slug>/card.png", share.preview_card, name="card"),
]
