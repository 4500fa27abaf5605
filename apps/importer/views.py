"""The couple's pages for adding a gift from a product link: the link form, and the job's progress
(without JavaScript: the page refreshes itself) until the add-a-gift form takes over.

Only a registry's owners reach these; with the ``importer`` flag off they answer 404.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from apps.accounts.decorators import verified_required
from apps.core.ratelimit import limit, over_limit
from apps.ops import flags
from apps.registries.access import registry_for_owner
from apps.registries.models import Registry

from . import services
from .forms import ImportForm
from .models import ImportJob
from .share import shared_link

# Seconds between two looks at a job that is still running.
REFRESH_SECONDS = 2


def _importer_on(request: HttpRequest) -> None:
    if not flags.is_enabled(flags.IMPORTER, request):
        raise Http404("The importer is switched off")


def bookmarklet(request: HttpRequest, registry: Registry) -> str:
    """The "Add to Whisper" bookmarklet: it opens the import form with the current page's address."""
    target = request.build_absolute_uri(reverse("importer:start", args=[registry.slug])) + "?url="
    return f"javascript:location.href={json.dumps(target)}+encodeURIComponent(location.href)"


@limit("WHISPER_RATE_IMPORT")
@verified_required
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the link form (``?url=`` fills it in); POST: start fetching, then watch the job."""
    _importer_on(request)
    registry = registry_for_owner(request, slug)
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST)
        if form.is_valid():
            if over_limit(request, "WHISPER_RATE_IMPORT_USER", group="importer.start", key="user"):
                form.add_error(None, _("You have imported many links in a short time. Please wait a while."))
                status = 429
            else:
                job = services.start_import(registry, request.user, form.cleaned_data["url"])
                return redirect("importer:job", registry.slug, job.pk)
    else:
        # Only shown: nothing is fetched until the couple confirms with POST
        # (after a share from the phone, the page's script sends the form at once).
        form = ImportForm(initial={"url": request.GET.get("url", "")[:2000]})
    shared = request.method != "POST" and request.GET.get("shared") == "1" and bool(form.initial.get("url"))
    context = {"registry": registry, "form": form, "shared": shared}
    return render(request, "importer/start.html", context, status=status)


def _share_url(link: str) -> str:
    return reverse("importer:share") + "?" + urlencode({"url": link})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def share(request: HttpRequest) -> HttpResponse:
    """The manifest's ``share_target``: "Share → Whisper" on a product page lands here.

    The phone POSTs what was shared without a CSRF token, so a POST only
    redirects (303) to this page's GET with the link in the address; it
    changes nothing, logged in or not. The GET asks to log in first (then
    comes back), picks the couple's registry (or asks which one), and opens
    the import form with the link, sent by the page's script at once.
    """
    params = request.POST if request.method == "POST" else request.GET
    link = shared_link(params)
    if request.method == "POST":
        return HttpResponseRedirect(_share_url(link), status=303)
    if not request.user.is_authenticated:
        return redirect_to_login(_share_url(link))
    _importer_on(request)
    registries = list(Registry.objects.owned_by(request.user).order_by("-created_at"))
    if not registries:
        messages.info(request, _("Create your registry first, then share gifts to it from any shop."))
        return redirect("registries:create")
    if not link:
        messages.warning(
            request, _("We found no web link in what was shared. Paste the product's address here.")
        )
    query = urlencode({"url": link, "shared": "1"} if link else {})
    targets = [
        (r, reverse("importer:start", args=[r.slug]) + (f"?{query}" if query else "")) for r in registries
    ]
    if len(targets) == 1:
        return redirect(targets[0][1])
    return render(request, "importer/share.html", {"targets": targets, "link": link})


@never_cache
@verified_required
@require_safe
def job(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An import's progress; once finished, the add-a-gift form pre-filled from it."""
    _importer_on(request)
    jobs = ImportJob.objects.select_related("registry").filter(
        registry__slug=slug, registry__owners=request.user
    )
    current = services.give_up_if_stalled(get_object_or_404(jobs, pk=pk))
    add_url = reverse("items:add", args=[current.registry.slug]) + f"?import={current.pk}"
    if current.is_finished:
        return redirect(add_url)
    context = {"registry": current.registry, "job": current, "refresh": REFRESH_SECONDS, "add_url": add_url}
    return render(request, "importer/job.html", context)
