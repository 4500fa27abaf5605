"""Settings shared by every environment; the others import from here.

Anything that differs between machines comes from the environment through
the helpers in ``apps.core.env``. Switches an operator flips at runtime
(read-only mode, feature flags) live in the database through django-waffle.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from celery.schedules import crontab

from apps.core.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
RUN_DIR = Path(env_str("WHISPER_RUN_DIR", str(BASE_DIR / ".run")))

SECRET_KEY = env_secret("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "sorl.thumbnail",
    "compressor",
    "waffle",
    "health_check",
    "django_celery_beat",
    "anymail",
    "csp",
    "axes",
    # ours
    "apps.accounts",
    "apps.registries",
    "apps.items",
    "apps.reservations",
    "apps.pages",
    "apps.ops",
    "apps.payments",
    "apps.payments.apps.PayPalIPNConfig",  # django-paypal's IPN app (label "ipn")
    "apps.timelog",
    "apps.metrics",
    "apps.importer",
    "apps.notifications",
    "apps.privacy",
]

MIDDLEWARE = [
    "apps.timelog.middleware.TimelogMiddleware",  # first: it times everything below
    "apps.core.cache.FreshAfterWriteMiddleware",  # after a write, the writer skips shared caches
    "apps.core.security.ClientAddressMiddleware",  # the visitor's address, for limits and lockouts
    "django.middleware.security.SecurityMiddleware",
    "apps.core.security.ContentSecurityPolicyMiddleware",  # CONTENT_SECURITY_POLICY, built once
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common and the cache: the reader's language (their
    # choice in the django_language cookie, else Accept-Language, else English),
    # as Django's LocaleMiddleware decides it, without its i18n_patterns work.
    "apps.core.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.ops.middleware.SuperuserTracebackMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.ops.middleware.ReadOnlyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "waffle.middleware.WaffleMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # over a limit: RATELIMIT_VIEW's 429
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "whisper.urls"
WSGI_APPLICATION = "whisper.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.site",
                "apps.ops.context_processors.ops",
            ],
            # Amounts and dates the reader's way in every template: |money, |full_date.
            "builtins": ["apps.core.templatetags.money"],
            # {% load thumbnails %}: thumbnails as the rows remember them (apps.core.thumbnails).
            "libraries": {"thumbnails": "apps.core.templatetags.thumbnails"},
        },
    },
    # Jinja2 for the few templates on hot lists only (templates-jinja2/: the public page's gift cards),
    # through Django's own backend; asked for by name: engines["jinja2"] (apps.core.jinja).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates-jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "apps.core.jinja.environment"},
    },
]

# Database: PostgreSQL through psycopg 3 with Django's connection pool when
# DB_NAME is set (tests, benchmark, production); SQLite otherwise (make run).
if env_str("DB_NAME"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env_str("DB_NAME"),
            "USER": env_str("DB_USER", "whisper"),
            "PASSWORD": env_secret("DB_PASSWORD"),
            "HOST": env_str("DB_HOST", "127.0.0.1"),
            "PORT": env_str("DB_PORT", "5432"),
            "CONN_MAX_AGE": 0,  # the pool keeps connections, not Django
            # The pool checks a connection before handing it out (psycopg_pool's
            # check_connection): after a PostgreSQL restart the broken ones are
            # replaced instead of failing a request each.
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "pool": {
                    "min_size": env_int("DB_POOL_MIN", 2),
                    "max_size": env_int("DB_POOL_MAX", 10),
                    "timeout": env_int("DB_POOL_TIMEOUT", 10),
                },
            },
            "TEST": {"NAME": env_str("WHISPER_TEST_DB", "test_whisper")},
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": RUN_DIR / "whisper.sqlite3",
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: memcached when MEMCACHED_LOCATION is set, local memory otherwise.
if env_str("MEMCACHED_LOCATION"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": env_list("MEMCACHED_LOCATION"),
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "whisper"),
            "OPTIONS": {
                "no_delay": True,
                "ignore_exc": True,  # a memcached outage is a cache miss, not a 500
                "connect_timeout": 0.5,
                "timeout": 0.5,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "whisper",
        }
    }

# Each web process also keeps the registry pages it served last in its own
# memory (apps.registries.views.public): their keys carry the registry's
# version, so a copy never goes stale, and a warm page needs no trip to
# memcached for its 160 KB. At most 64 pages, about 10 MB per process.
CACHES["process"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "whisper-process",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": 64, "CULL_FREQUENCY": 4},
}

# Each web process keeps the registry rows behind the public pages it serves
# to visitors without a session for this long (apps.registries.rows): another
# guest sees a change at most this plus WHISPER_SHARED_CACHE_SECONDS later.
WHISPER_REGISTRY_ROW_SECONDS = env_int("WHISPER_REGISTRY_ROW_SECONDS", 1)

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# The pages every visitor without a session or messages gets alike (the
# public registry page, home, pricing, FAQ) say so in their headers, and the
# cache in front (nginx's, a CDN's) serves them: a change reaches those
# visitors at most this many seconds late (docs/caching.md; 2 at least, as
# nginx counts whole seconds). Everyone else, and every write, goes to Django.
WHISPER_SHARED_CACHE_SECONDS = env_int("WHISPER_SHARED_CACHE_SECONDS", 2)

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "registries:mine"
LOGOUT_REDIRECT_URL = "pages:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Security (apps.core.security, apps.core.ratelimit) ------------------------
# django-axes: after 5 wrong passwords for one account from one network (an
# IPv4 address, an IPv6 /64), that pair may not log in for an hour (a friendly
# 429 page, even with the right password); other networks and accounts are not
# affected. After 20 from anywhere the account itself is paused for everyone,
# until the hour is over or its owner resets the password by mail.
AUTHENTICATION_BACKENDS = [
    "apps.core.security.LoginAttemptsBackend",  # axes' AxesStandaloneBackend, first
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "apps.core.security.client_network"
WHISPER_ACCOUNT_FAILURE_LIMIT = env_int("WHISPER_ACCOUNT_FAILURE_LIMIT", 20)
# The login form's field (our USERNAME_FIELD is "email", axes' default guess).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "apps.core.security.axes_username"
AXES_LOCKOUT_CALLABLE = "apps.core.security.locked_out"
AXES_RESET_ON_SUCCESS = True
# The address comes from REMOTE_ADDR only (ClientAddressMiddleware puts the
# visitor's there when a trusted proxy says it), never from headers anyone can send.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# No log of every successful login (addresses and browsers of couples): failures are enough.
AXES_DISABLE_ACCESS_LOG = True
# Proxies whose X-Real-IP header we believe (nginx in front; production.py sets it).
WHISPER_TRUSTED_PROXIES = env_list("WHISPER_TRUSTED_PROXIES", [])

# django-ratelimit: counters in the default cache (memcached), per client address.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "apps.core.ratelimit.ratelimited"
# A memcached outage must not turn every guest away: the limits then lapse.
RATELIMIT_FAIL_OPEN = True
# Requests per client address (django-ratelimit rates: "20/m", "10/h").
WHISPER_RATE_RESERVE = env_str("WHISPER_RATE_RESERVE", "20/m")
WHISPER_RATE_PLEDGE = env_str("WHISPER_RATE_PLEDGE", "20/m")
WHISPER_RATE_PASSPHRASE = env_str("WHISPER_RATE_PASSPHRASE", "30/m")
WHISPER_RATE_SIGNUP = env_str("WHISPER_RATE_SIGNUP", "10/h")
WHISPER_RATE_SEARCH = env_str("WHISPER_RATE_SEARCH", "60/m")
WHISPER_RATE_IMPORT = env_str("WHISPER_RATE_IMPORT", "30/h")
# Counted by the view itself (apps.core.ratelimit.over_limit), per address or person:
# wrong passphrases per address and registry,
WHISPER_RATE_WRONG_PASSPHRASE = env_str("WHISPER_RATE_WRONG_PASSPHRASE", "10/m")
# mail-sending account actions (verification, reset, email change, deletion) per person,
WHISPER_RATE_MAIL = env_str("WHISPER_RATE_MAIL", "5/h")
# co-owner invitations (each one a mail) and imports (each one a fetch) per person,
WHISPER_RATE_INVITE = env_str("WHISPER_RATE_INVITE", "10/h")
WHISPER_RATE_IMPORT_USER = env_str("WHISPER_RATE_IMPORT_USER", "30/h")
# notes of a gift bought off the list, per address and registry.
WHISPER_RATE_OFF_REGISTRY = env_str("WHISPER_RATE_OFF_REGISTRY", "10/h")

CSRF_FAILURE_VIEW = "apps.core.security.csrf_failure"

# The Content-Security-Policy, in django-csp's format, built by it once per
# process (apps.core.security.ContentSecurityPolicyMiddleware): nothing inline,
# nothing from elsewhere. Forms post to us, and the upgrade page's form to
# PayPal's checkout (django-paypal's LOGIN_URL, or SANDBOX_LOGIN_URL when
# PAYPAL_TEST is on: both, as dev and test switch it on).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'", "https://www.paypal.com", "https://www.sandbox.paypal.com"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

LANGUAGE_CODE = "en"
# The languages Whisper speaks (README, "Languages": how to add one).
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The site's clock, and the default time zone of a new registry when the browser says none:
# each registry has its own (Registry.time_zone), and every day people feel is in it.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Formats Django lacks (a day with its weekday), per language, beside Django's own.
FORMAT_MODULE_PATH = ["whisper.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(RUN_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "compressor.finders.CompressorFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(RUN_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
COMPRESS_ENABLED = env_bool("COMPRESS_ENABLED", False)
COMPRESS_OFFLINE = env_bool("COMPRESS_OFFLINE", False)

# Uploads: images only, capped in size (checked again in the forms).
WHISPER_MAX_IMAGE_BYTES = env_int("WHISPER_MAX_IMAGE_BYTES", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# sorl-thumbnail keeps its key-value store in the cache.
THUMBNAIL_KVSTORE = "sorl.thumbnail.kvstores.cached_db_kvstore.KVStore"
THUMBNAIL_PRESERVE_FORMAT = False
THUMBNAIL_FORMAT = "JPEG"
# The sizes the templates show ({% thumbnail … crop="center" %}), made by a
# celery task when an image is uploaded or imported (apps.core.thumbnails).
WHISPER_THUMBNAILS = {"item": ["480x360", "560x420", "240x180", "960x480"], "cover": ["1100x320"]}

# Mail: apps.core.emails.send writes an outbox row (apps.notifications) that a
# celery task delivers through EMAIL_BACKEND; production uses Postmark (anymail).
# Under make run: each mail printed with its text part readable (apps.core.console_mail).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "apps.core.console_mail.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Whisper <hello@whisper.example>")
SERVER_EMAIL = env_str("SERVER_EMAIL", "Whisper errors <errors@whisper.example>")
ANYMAIL = {
    "POSTMARK_SERVER_TOKEN": env_secret("POSTMARK_SERVER_TOKEN"),
    "POSTMARK_API_URL": env_str("POSTMARK_API_URL", "https://api.postmarkapp.com/"),
    # "user:password" Postmark's bounce/spam webhooks must send (basic auth).
    "WEBHOOK_SECRET": env_secret("ANYMAIL_WEBHOOK_SECRET"),
    "REQUESTS_TIMEOUT": (3.05, 20),  # connect, read (seconds)
}
# The outbox (apps.notifications.outbox). A failed send is retried after
# OUTBOX_RETRY_BASE_SECONDS, doubling each time up to OUTBOX_RETRY_MAX_SECONDS,
# OUTBOX_MAX_ATTEMPTS times in all. The periodic retry re-queues a message
# still queued OUTBOX_STUCK_AFTER_SECONDS after it was due (its task was lost:
# the broker was down, a worker died), and one whose send started more than
# OUTBOX_SENDING_TIMEOUT_SECONDS ago (longer than the provider's timeout).
OUTBOX_DELIVER_ON_COMMIT = True
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 30)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600)
OUTBOX_STUCK_AFTER_SECONDS = env_int("OUTBOX_STUCK_AFTER_SECONDS", 180)
OUTBOX_SENDING_TIMEOUT_SECONDS = env_int("OUTBOX_SENDING_TIMEOUT_SECONDS", 120)
# The image at the top of every mail, attached inline (CID), never fetched remotely.
EMAIL_HEADER_IMAGE = BASE_DIR / "static" / "img" / "email-header.png"
# Guests who have not marked their gift bought hear from us this many days before the event.
NOTIFICATIONS_GUEST_REMINDER_DAYS = env_int("NOTIFICATIONS_GUEST_REMINDER_DAYS", 5)
# The couple is reminded to say thank you this many days after the event.
NOTIFICATIONS_THANK_YOU_DAYS = env_int("NOTIFICATIONS_THANK_YOU_DAYS", 3)
# The hour (on each registry's own clock) from which its digest and reminders go out, once a local day.
NOTIFICATIONS_LOCAL_HOUR = env_int("NOTIFICATIONS_LOCAL_HOUR", 9)

# Celery: Redis as the broker when CELERY_BROKER_URL is set; eager otherwise.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
# The queue the supervised worker consumes (celery -Q default, deploy/supervisord.conf.template).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Every periodic job, here and nowhere else. Beat's DatabaseScheduler writes
# these into django-celery-beat's tables when it starts (by name: the admin
# shows them, and a job edited there is put back at the next start).
OUTBOX_RETRY_UNSENT_SECONDS = env_int("OUTBOX_RETRY_UNSENT_SECONDS", 60)
# A guest's mail that waited (WHISPER_GUEST_MAIL_COALESCE_SECONDS) goes out at most this much later.
OUTBOX_RELEASE_WAITING_SECONDS = env_int("OUTBOX_RELEASE_WAITING_SECONDS", 10)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Erase guests' personal data past WHISPER_GUEST_DATA_RETENTION_DAYS.
    "Erase guest data past retention": {
        "task": "apps.privacy.tasks.erase_guest_data",
        "schedule": crontab(minute="30", hour="3"),
    },
    "Daily metrics report": {
        "task": "apps.metrics.tasks.send_metrics_report",
        "schedule": crontab(minute="0", hour="6"),
    },
    # Queue the guests' mails whose wait for a newer one is over.
    "Mail: send what waited": {
        "task": "apps.notifications.tasks.release_waiting",
        "schedule": float(OUTBOX_RELEASE_WAITING_SECONDS),
    },
    # Queue again the mail whose task was lost (the outbox keeps it).
    "Mail: retry unsent": {
        "task": "apps.notifications.tasks.retry_unsent",
        "schedule": float(OUTBOX_RETRY_UNSENT_SECONDS),
    },
    # Hourly: each run mails the registries where NOTIFICATIONS_LOCAL_HOUR has come
    # today on their own clock and that have not had today's mail (once a local day).
    "Mail: owners' daily digest": {
        "task": "apps.notifications.tasks.send_digests",
        "schedule": crontab(minute="0"),
    },
    "Mail: guest reminders": {
        "task": "apps.notifications.tasks.send_guest_reminders",
        "schedule": crontab(minute="5"),
    },
    # A contribution sent to PayPal holds its share of a target until PayPal
    # confirms it; after WHISPER_PAYPAL_HOLD_HOURS without an IPN it is released.
    "Contributions: release unpaid PayPal ones": {
        "task": "apps.reservations.tasks.release_unpaid_pledges",
        "schedule": crontab(minute="15"),
    },
    "Mail: thank-you reminders": {
        "task": "apps.notifications.tasks.send_thank_you_reminders",
        "schedule": crontab(minute="10"),
    },
}

# Importer: fetching store pages couples paste.
IMPORTER_USER_AGENT = env_str(
    "IMPORTER_USER_AGENT", "WhisperBot/1.0 (gift registry product import; +https://whisper.example/bot)"
)
IMPORTER_CONNECT_TIMEOUT = 3.0
IMPORTER_READ_TIMEOUT = 5.0
IMPORTER_TOTAL_TIMEOUT = 12.0
IMPORTER_MAX_PAGE_BYTES = 2 * 1024 * 1024
IMPORTER_CACHE_SECONDS = 3600
# Addresses the SSRF guard lets through although they are internal
# ("127.0.0.1:8123" or "10.0.0.0/8"). Empty in production; tests use it.
IMPORTER_ALLOWED_ADDRESSES = env_list("IMPORTER_ALLOWED_ADDRESSES", [])

# PayPal Payments Standard + IPN (django-paypal). PAYPAL_TEST=true: sandbox
# buttons, and sandbox IPNs (test_ipn=1) accepted. Off unless asked for, so a
# live site never takes sandbox money for a real upgrade.
PAYPAL_TEST = env_bool("PAYPAL_TEST", False)
PAYPAL_RECEIVER_EMAIL = env_str("PAYPAL_RECEIVER_EMAIL", "payments@whisper.example")
# Seconds to wait for PayPal's IPN verification before answering 503 (PayPal retries).
PAYPAL_POSTBACK_TIMEOUT = float(env_str("PAYPAL_POSTBACK_TIMEOUT", "10"))

# Whisper's own knobs.
# A reservation's manage link keeps working this many days after the event.
WHISPER_TOKEN_DAYS_AFTER_EVENT = env_int("WHISPER_TOKEN_DAYS_AFTER_EVENT", 90)
# How long a contribution sent to PayPal holds its share of a fund's target
# without PayPal's IPN before the hourly job releases it.
WHISPER_PAYPAL_HOLD_HOURS = env_int("WHISPER_PAYPAL_HOLD_HOURS", 24)
# Anyone can type any address into a guest's form: past this many guest mails
# to one address in a day, new claims for it are refused (apps.reservations).
WHISPER_GUEST_MAILS_PER_ADDRESS_PER_DAY = env_int("WHISPER_GUEST_MAILS_PER_ADDRESS_PER_DAY", 20)
# How a new registry's couple hears of new reservations: "digest" (daily, by celery
# beat), "immediately" or "off"; the couple changes it in the registry's settings.
WHISPER_OWNER_MAIL_DEFAULT = env_str("WHISPER_OWNER_MAIL_DEFAULT", "digest")
# A guest's mail about a claim waits this long before it is sent; a newer one
# about the same claim replaces it meanwhile (several changes: one mail).
WHISPER_GUEST_MAIL_COALESCE_SECONDS = env_int("WHISPER_GUEST_MAIL_COALESCE_SECONDS", 120)
# Email-verification and partner-invitation links expire after this many seconds.
WHISPER_VERIFY_MAX_AGE = env_int("WHISPER_VERIFY_MAX_AGE", 7 * 24 * 3600)
# Guests' names, addresses and messages are erased this many days after the
# event (apps.privacy; the reservations themselves, and so the counts, stay).
WHISPER_GUEST_DATA_RETENTION_DAYS = env_int("WHISPER_GUEST_DATA_RETENTION_DAYS", 180)
# The demo registry's slug where `manage.py seed_demo` loaded it; the home page links to it.
WHISPER_DEMO_REGISTRY = env_str("WHISPER_DEMO_REGISTRY", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # lockouts, not every successful login
    },
}

# Timelog: one JSON line per request, in a rotating file on this node.
TIMELOG_ENABLED = env_bool("TIMELOG_ENABLED", True)
TIMELOG_LOG = Path(env_str("TIMELOG_LOG", str(RUN_DIR / "timelog.log")))
TIMELOG_MAX_BYTES = env_int("TIMELOG_MAX_BYTES", 50 * 1024 * 1024)  # 0: never rotate (logrotate does)
TIMELOG_BACKUP_COUNT = env_int("TIMELOG_BACKUP_COUNT", 5)
TIMELOG_PAGE_MAX_BYTES = env_int("TIMELOG_PAGE_MAX_BYTES", 8 * 1024 * 1024)  # what the staff page reads

# Metrics: daily counters; the database always, statsd when STATSD_HOST is set.
METRICS_BACKENDS = env_list(
    "METRICS_BACKENDS",
    ["apps.metrics.backends.DatabaseBackend", "apps.metrics.backends.StatsdBackend"],
)
STATSD_HOST = env_str("STATSD_HOST", "")
STATSD_PORT = env_int("STATSD_PORT", 8125)
STATSD_PREFIX = env_str("STATSD_PREFIX", "whisper")

# Sentry: off unless SENTRY_DSN is set; no personal data (apps.core.sentry).
SENTRY_DSN = env_secret("SENTRY_DSN")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")
SENTRY_RELEASE = env_str("SENTRY_RELEASE", "")
if SENTRY_DSN:
    from apps.core.sentry import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE or None,
        base_dir=BASE_DIR,
    )
