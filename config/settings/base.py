from datetime import timedelta
from pathlib import Path

import dj_database_url

from config.env import env_bool, env_float, env_int, env_list, env_str, env_time
from reports.admin_formats import EXPORT_FORMATS as ADMIN_EXPORT_FORMATS  # no models: safe here

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "core",  # first: the job mechanism and its registry (core.jobs) load before any app
    "config.admin_site.OperatorAdminConfig",  # the Django admin, superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "django_tables2",
    "import_export",
    "django_celery_beat",
    "django_htmx",
    "axes",
    "config.apps.ShortcodeConfig",
    "accounts",
    "profiles",
    "campaigns",
    "messaging",
    "inbox",
    "reports",
    "links",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.csp.PolicyMiddleware",  # django-csp, with the admin export page's exception
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.tenancy.CurrentCompanyMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a locked-out sign-in into the lockout page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.tenancy.company_context",
                "accounts.navigation.nav_items",
            ],
        },
    },
]

# PostgreSQL only (trigram search, COPY, arrays and row locks are used throughout).
# `make run` and `make test` start an embedded PostgreSQL and set DATABASE_URL when it
# is unset (bin/with_postgres.py); without it the `shortcode.E004` check stops
# runserver and migrate with that advice rather than a driver error.
DATABASE_URL = env_str("DATABASE_URL", "")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    if DATABASE_URL
    else {"ENGINE": "django.db.backends.dummy"}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Exports, uploaded number lists and their results, and the console outbox hold
# subscribers' numbers and texts: they live here, outside MEDIA_ROOT, where no URL
# serves them; only views that check company and role hand them out.
PRIVATE_ROOT = Path(env_str("PRIVATE_ROOT", str(BASE_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "core.private_files.PrivateStorage",
        "OPTIONS": {"location": PRIVATE_ROOT},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads beyond this go to a temp file instead of memory; the per-form limit is
# MAX_UPLOAD_BYTES, checked where the file is read so the user gets a clear message.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 50 * 1024 * 1024)

# Celery: without REDIS_URL the quick start runs tasks in-process (eager), so it
# needs no broker; with REDIS_URL real workers pick them up.
REDIS_URL = env_str("REDIS_URL", "")
# Every connection to Redis (broker, cache, API slots) gives up after this many seconds,
# so a Redis that stops answering costs a request a moment, never a hang; each user has
# a stated fallback (config/cache.py, api/concurrency.py,
# core.publish.task_publish, messaging/ratelimit.py has its own 200 ms).
REDIS_SOCKET_TIMEOUT = env_float("REDIS_SOCKET_TIMEOUT", 0.5)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is redelivered, not lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Queues priority, bulk and background (config/celery.py); CELERY_QUEUE=<name> puts
# every task on that one queue instead.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "background")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
}
# A web request publishing a task tries the broker twice, not four times with waits:
# its work is in the database and a sweep publishes it later (core.publish.task_publish).
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {
    "broadcasts_send_due": {"task": "campaigns.broadcasts_send_due", "schedule": 60.0},
    "flows_expire_pending": {"task": "campaigns.flows_expire_pending", "schedule": 300.0},
    "analyses_run_due": {"task": "reports.analyses_run_due", "schedule": 15 * 60.0},
    # Stalled jobs of every kind (exports, list uploads, analysis runs): core.jobs.
    "jobs_sweep": {"task": "core.jobs_sweep", "schedule": 120.0},
    "messages_queue_due": {"task": "messaging.messages_queue_due", "schedule": 60.0},
    "messages_reconcile_in_flight": {
        "task": "messaging.messages_reconcile_in_flight",
        "schedule": 60.0,
    },
    # The redirect queues a drain itself; this sweeps anything a lost task left behind.
    "clicks_drain": {"task": "links.clicks_drain", "schedule": 60.0},
    "dashboards_roll_up": {
        "task": "reports.dashboards_roll_up",
        "schedule": 300.0,  # yesterday and today of every company's dashboard
    },
    "revocations_enforce": {"task": "messaging.revocations_enforce", "schedule": 5 * 60.0},
    "messages_classify_stalled": {"task": "messaging.messages_classify_stalled", "schedule": 60.0},
    # Keeps the unfolded deltas the campaigns list sums to a minute's worth.
    "subscriber_counts_fold": {"task": "campaigns.subscriber_counts_fold", "schedule": 60.0},
}

CACHES = {
    "default": (
        {
            # Falls back to this process's memory while Redis is away (config/cache.py).
            "BACKEND": "config.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# The Django admin's exports (django-import-export): formulas escaped by the product's
# rule, in the formats whose escaping reports.admin_formats controls.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
EXPORT_FORMATS = ADMIN_EXPORT_FORMATS

# Product settings
SMS_DEFAULT_REGION = env_str("SMS_DEFAULT_REGION", "US")
SMS_GATEWAY = env_str("SMS_GATEWAY", "messaging.gateways.ConsoleGateway")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
SMS_WEBHOOK_SECRET = env_str("SMS_WEBHOOK_SECRET", "dev-webhook-secret")
SMS_SOFT_BOUNCE_LIMIT = env_int("SMS_SOFT_BOUNCE_LIMIT", 4)
SMS_RETRY_DELAY_SECONDS = env_int("SMS_RETRY_DELAY_SECONDS", 30)
# FakeGateway only (tests, benchmarks): a random failure rate and per-number rules.
SMS_FAKE_FAILURE_RATE = env_float("SMS_FAKE_FAILURE_RATE", 0.0)
SMS_FAKE_RULES: dict[str, str] = {}
SMS_DEFAULT_ORIGINATOR = env_str("SMS_DEFAULT_ORIGINATOR", "41411")
SMS_MAX_SEGMENTS = env_int("SMS_MAX_SEGMENTS", 10)
# Fernet keys (urlsafe base64, 32 bytes) that encrypt sending numbers' provider
# credentials, newest first: the first encrypts, every one decrypts, so a key is rotated
# by putting the new one in front. Empty: a key derived from SECRET_KEY, for the quick
# start only (production refuses it, shortcode.E007).
CHANNEL_CREDENTIALS_KEYS = env_list("CHANNEL_CREDENTIALS_KEYS", [])
# The address providers reach this site at (https://sms.example.org): the webhook URLs
# shown on Settings → Sending numbers and the URL Twilio's signature is checked against.
# Empty: taken from the request (and X-Forwarded-Proto/Host behind a proxy).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "")
# The sending number of messaging.carriers.CarrierGateway (messaging/sending_numbers.py):
# its provider (twilio, telnyx, bandwidth), credentials and messages per second.
# SMS_PROVIDER_BASE_URL points every provider at another host (a local fake in tests).
SMS_PROVIDER = env_str("SMS_PROVIDER", "twilio")
SMS_PROVIDER_BASE_URL = env_str("SMS_PROVIDER_BASE_URL", "")
SMS_NUMBER_MPS = env_int("SMS_NUMBER_MPS", 10)
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID", "")
TELNYX_API_KEY = env_str("TELNYX_API_KEY", "")
TELNYX_PUBLIC_KEY = env_str("TELNYX_PUBLIC_KEY", "")
TELNYX_MESSAGING_PROFILE_ID = env_str("TELNYX_MESSAGING_PROFILE_ID", "")
BANDWIDTH_ACCOUNT_ID = env_str("BANDWIDTH_ACCOUNT_ID", "")
BANDWIDTH_USERNAME = env_str("BANDWIDTH_USERNAME", "")
BANDWIDTH_PASSWORD = env_str("BANDWIDTH_PASSWORD", "")
BANDWIDTH_APPLICATION_ID = env_str("BANDWIDTH_APPLICATION_ID", "")
# Tracked links (links app): the short domain recipients' URLs live on, which points at
# this site (https://sc.example.org/abc123…), and the key of their check digits
# (empty: derived from SECRET_KEY; changing it breaks the links already sent).
SHORT_LINK_DOMAIN = env_str("SHORT_LINK_DOMAIN", "https://sc.example.org")
SHORT_LINK_KEY = env_str("SHORT_LINK_KEY", "")
# Where providers post delivery receipts; each send names it with our message id.
SMS_STATUS_CALLBACK_URL = env_str("SMS_STATUS_CALLBACK_URL", "")
# Requests one worker process keeps in flight (50 ms each: 100 fill 2,000 msg/s).
SMS_SEND_CONCURRENCY = env_int("SMS_SEND_CONCURRENCY", 100)
# A worker that loses Redis paces each number at mps / this (the workers sharing it).
SMS_RATE_LIMIT_FALLBACK_WORKERS = env_int("SMS_RATE_LIMIT_FALLBACK_WORKERS", 2)
# How long a batch waits out a provider's 429s before handing its messages back.
SMS_THROTTLE_WAIT_SECONDS = env_int("SMS_THROTTLE_WAIT_SECONDS", 30)
# A message in flight longer than this lost its worker: messages_reconcile_in_flight.
SMS_IN_FLIGHT_TIMEOUT_SECONDS = env_int("SMS_IN_FLIGHT_TIMEOUT_SECONDS", 300)
# An incoming text still unclassified this long after it was stored lost its task:
# messages_classify_stalled queues it again.
INBOUND_CLASSIFY_STALL_SECONDS = env_int("INBOUND_CLASSIFY_STALL_SECONDS", 300)
API_CONCURRENCY_LIMIT = env_int("API_CONCURRENCY_LIMIT", 160)
ADVOCACY_ENABLED = env_bool("ADVOCACY_ENABLED", True)
# Workers heartbeat; a running job silent this long lost its worker and is queued again.
BROADCAST_CHUNK_STALL_SECONDS = env_int("BROADCAST_CHUNK_STALL_SECONDS", 600)
EXPORT_STALL_SECONDS = env_int("EXPORT_STALL_SECONDS", 600)
EXPORT_PENDING_STALL_SECONDS = env_int("EXPORT_PENDING_STALL_SECONDS", 1800)
EXPORT_MAX_ATTEMPTS = env_int("EXPORT_MAX_ATTEMPTS", 3)
# Broadcasts reach a recipient only between these local times (TCPA quiet hours); a
# company may narrow the window, never widen it (messaging.quiet_hours).
SMS_SENDING_WINDOW_START = env_time("SMS_SENDING_WINDOW_START", "08:00")
SMS_SENDING_WINDOW_END = env_time("SMS_SENDING_WINDOW_END", "21:00")
# A probable revocation texted in free text is escalated this many business days before
# its due date (the FCC's ten business days; messaging/revocation_services.py).
REVOCATION_ESCALATE_BUSINESS_DAYS = env_int("REVOCATION_ESCALATE_BUSINESS_DAYS", 3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Sign-in throttling. Web and admin sign-ins go through django-axes (its backend first);
# the API keeps its own counter (api/auth.py) with the same limits.
# Both count failures per account (username and email are one account) and address.
SIGN_IN_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 10)
SIGN_IN_LOCKOUT_MINUTES = env_int("SIGN_IN_LOCKOUT_MINUTES", 15)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.auth.EmailOrUsernameBackend",
]
AXES_FAILURE_LIMIT = SIGN_IN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=SIGN_IN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.auth.sign_in_account"
AXES_CLIENT_IP_CALLABLE = "accounts.auth.client_address"
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none, the
# client is REMOTE_ADDR). Set it behind a load balancer, or every client is one address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_LOCKOUT_CALLABLE = "accounts.views.sign_in.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every manage.py command
# Tries while locked out (even the right password) neither count nor extend the lockout,
# so "try again in 15 minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

# Content-Security-Policy (django-csp 4). No inline script, event handler or style anywhere:
# page behaviour lives in static/js, styles in static/css, so an injected <script> or
# javascript: link cannot run. Images may also come from any https origin, because MMS
# thumbnails and avatars are carriers' and people's https links (core/safe_urls.py
# keeps anything but http(s) from being stored or rendered). The one per-page exception
# is in config/csp.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
