"""The couple's pages for adding a gift from a product link: the link form, and the job's progress
(without JavaScript: the page refreshes itself) until the add-a-gift form takes over.

Only a registry's owners reach these; with the ``importer`` flag off they answer 404.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from apps.accounts.decorators import verified_required
from apps.core.ratelimit import limit, over_limit
from apps.ops import flags
from apps.registries.access import registry_for_owner
from apps.registries.models import Registry

from . import services
from .forms import ImportForm
from .models import ImportJob

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
        # Only shown: nothing is fetched until the couple confirms with POST.
        form = ImportForm(initial={"url": request.GET.get("url", "")[:2000]})
    context = {"registry": registry, "form": form}
    return render(request, "importer/start.html", context, status=status)


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
