"""Deploy checks: a release that would answer 500 on every page refuses to start instead.

Registered with ``deploy=True``: ``manage.py check --deploy`` runs them (``fab
deploy`` does, before it switches to a new release), and so does
:func:`require_deployable`, which ``whisper/wsgi.py`` calls when gunicorn
loads the application. Build commands (``collectstatic``, ``compress``) never
run them: they make what these checks look for.
"""

from __future__ import annotations

from django.conf import STATICFILES_STORAGE_ALIAS, settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.utils.module_loading import import_string

TAG = "whisper_deploy"


@checks.register(TAG, deploy=True)
def offline_compression_manifest(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """With COMPRESS_OFFLINE, every ``{% compress %}`` block needs the manifest ``compress`` writes."""
    if not (settings.COMPRESS_ENABLED and settings.COMPRESS_OFFLINE):
        return []
    # A storage of our own: compressor's shared one is made once and would
    # keep pointing where COMPRESS_ROOT was then.
    storage = import_string(settings.COMPRESS_OFFLINE_MANIFEST_STORAGE)()
    if storage.exists(settings.COMPRESS_OFFLINE_MANIFEST):
        return []
    return [
        checks.Error(
            f"The offline compression manifest {settings.COMPRESS_OFFLINE_MANIFEST} is missing from "
            f"{getattr(storage, 'location', storage)}: with COMPRESS_OFFLINE every page would answer 500.",
            hint="Run `manage.py collectstatic` then `manage.py compress` with these settings "
            "(fab deploy does both), or check that STATIC_ROOT / COMPRESS_ROOT point where they wrote.",
            id="whisper.E001",
        )
    ]


@checks.register(TAG, deploy=True)
def static_files_manifest(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """With hashed static names, ``{% static %}`` needs the manifest ``collectstatic`` writes."""
    storage = storages.create_storage(settings.STORAGES[STATICFILES_STORAGE_ALIAS])
    if not isinstance(storage, ManifestFilesMixin) or storage.manifest_storage.exists(storage.manifest_name):
        return []
    return [
        checks.Error(
            f"The static files manifest {storage.manifest_name} is missing from {storage.location}: "
            "pages would answer 500.",
            hint="Run `manage.py collectstatic` with these settings (fab deploy does), "
            "or check that STATIC_ROOT points where it wrote.",
            id="whisper.E002",
        )
    ]


def require_deployable() -> None:
    """Raise :class:`ImproperlyConfigured` naming every failed deploy check (the WSGI start-up)."""
    errors = [
        message
        for message in checks.run_checks(tags=[TAG], include_deployment_checks=True)
        if message.is_serious()
    ]
    if errors:
        raise ImproperlyConfigured("Whisper cannot serve pages:\n" + "\n".join(map(str, errors)))
