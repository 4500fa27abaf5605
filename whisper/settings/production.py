"""Production: every secret and host comes from the environment."""

import os

from apps.core import envfile

# A deployed release reads its environment from the server's env file
# (fab setup writes <prefix>/shared/env, mode 600; apps.core.envfile).
envfile.load(os.environ.get("WHISPER_ENV_FILE"))

from .base import *  # noqa: E402, F403
from .base import ANYMAIL, CACHES, MIDDLEWARE, env_bool, env_int, env_list, env_secret, env_str  # noqa: E402

DEBUG = False
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY or SECRET_KEY.startswith("dev-only"):
    raise RuntimeError("SECRET_KEY must be set in the environment for production")

# nginx always sets X-Forwarded-Proto: its own scheme, or the TLS terminator's
# in front when fab's tls_proxy names it (deploy/nginx.conf.template).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers and the deploy's health check ask over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# Off only for a site served over plain HTTP on loopback (fab's https: false).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # pages read the token from the form (static/js/reorder.js), never the cookie
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Only allows submitting the domain to browsers' preload list; nothing is submitted by itself.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# nginx on this machine sets X-Real-IP (deploy/nginx.conf.template): the
# visitor's address for rate limits and lockouts (apps.core.security).
WHISPER_TRUSTED_PROXIES = env_list("WHISPER_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
# X-Whisper-Release on every response of a deployed release, early answers
# (redirects, read-only pages) too (apps.core.release).
MIDDLEWARE = ["apps.core.release.ReleaseHeaderMiddleware", *MIDDLEWARE]

# `fab restore` bumps it (in the env file): no process reads what was cached before the restore.
CACHES["default"]["VERSION"] = env_int("CACHE_VERSION", 1)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
COMPRESS_ENABLED = True
COMPRESS_OFFLINE = True

# Postmark (through anymail) when its server token is set; the console otherwise.
if ANYMAIL["POSTMARK_SERVER_TOKEN"]:
    EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
