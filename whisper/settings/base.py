"""Settings shared by every environment; the others import from here.

Anything that differs between machines comes from the environment through
the helpers in ``apps.core.env``. Switches an operator flips at runtime
(read-only mode, feature flags) live in the database through django-waffle.
"""

from __future__ import annotations

from pathlib import Path

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
    "django_celery_beat",
    # ours
    "apps.accounts",
    "apps.registries",
    "apps.items",
    "apps.reservations",
    "apps.pages",
    "apps.ops",
    "apps.payments",
    "apps.timelog",
    "apps.metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "waffle.middleware.WaffleMiddleware",
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
            ],
        },
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

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

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

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

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

# Mail (a later step moves delivery into an outbox drained by celery).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Whisper <hello@whisper.example>")
SERVER_EMAIL = env_str("SERVER_EMAIL", "Whisper errors <errors@whisper.example>")

# Celery: Redis as the broker when CELERY_BROKER_URL is set; eager otherwise.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# Whisper's own knobs.
# A reservation's manage link keeps working this many days after the event.
WHISPER_TOKEN_DAYS_AFTER_EVENT = env_int("WHISPER_TOKEN_DAYS_AFTER_EVENT", 90)
# Email-verification and partner-invitation links expire after this many seconds.
WHISPER_VERIFY_MAX_AGE = env_int("WHISPER_VERIFY_MAX_AGE", 7 * 24 * 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
