"""One settings module for every deployment, driven by QINGXIE_* environment variables."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
import platformdirs
from csp.constants import NONE, SELF

from qingxie.vendor import VENDOR_FILES

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(
    os.environ.get("QINGXIE_DATA_DIR") or platformdirs.user_data_dir("qingxie", appauthor=False)
).expanduser()
DATA_DIR.mkdir(parents=True, exist_ok=True)
LOG_DIR = DATA_DIR / "logs"
LOG_DIR.mkdir(exist_ok=True)


def _secret_key() -> str:
    """Take the key from the environment, else from a file made on first run (mode 0600)."""
    if key := os.environ.get("QINGXIE_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _field_keys() -> list[str]:
    """Keys that encrypt personal fields (core/crypto.py): QINGXIE_FIELD_KEYS, else a file.

    Comma-separated Fernet keys, the first encrypts and all decrypt (rotation: prepend a new
    one, run `qingxie keys rotate`). Without the variable, `<data dir>/field_keys` is made on
    first run (mode 0600) with one new key; it takes the same comma/newline-separated list.
    """
    if keys := os.environ.get("QINGXIE_FIELD_KEYS"):
        text = keys
    else:
        path = DATA_DIR / "field_keys"
        if not path.exists():
            import base64

            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() + "\n")
        text = path.read_text()
    return [k.strip() for k in text.replace("\n", ",").split(",") if k.strip()]


FIELD_KEYS = _field_keys()
DEBUG = _env_bool("QINGXIE_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("QINGXIE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("QINGXIE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_q",
    "qingxie.core",
    "qingxie.accounts",
    "qingxie.regions",
    "qingxie.ledger",
    "qingxie.teams",
    "qingxie.trainings",
    "qingxie.projects",
    "qingxie.plans",
    "qingxie.assessment",
    "qingxie.sheets",
    "qingxie.reports",
    "qingxie.web",
    "qingxie.ops",
]

MIDDLEWARE = [
    # First: the JSON access line and the metrics time everything below (ops/middleware.py).
    "qingxie.ops.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qingxie.core.middleware.ApiErrorShapeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qingxie.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qingxie.core.middleware.IdleTimeoutMiddleware",
    "qingxie.core.middleware.LoginRequiredMiddleware",
    "qingxie.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "qingxie.core.middleware.SecurityHeadersMiddleware",
    "qingxie.core.middleware.NulByteMiddleware",
    "qingxie.core.middleware.ChangeContextMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qingxie.urls"
WSGI_APPLICATION = "qingxie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qingxie.web.context_processors.site",
            ],
        },
    },
]

# Each worker process keeps its figures and panels (core.cache) in memory. Django's default of
# 300 entries is far too few once hundreds of users and regions have their own keys: culling a
# third of them at a time would drop cold national figures (over a second of CPU each).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("QINGXIE_CACHE_ENTRIES", "20000"))},
    }
}

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("QINGXIE_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'qingxie.sqlite3'}",
        conn_max_age=int(os.environ.get("QINGXIE_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; a province fits comfortably in one file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Chinese is the source language (the msgids); English comes from locale/en (see docs/i18n.md).
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "qingxie.core.staticfinders.NodeModulesFinder",
]
# Browser libraries come from the npm registry (package.json); only these files are served.
NODE_MODULES_DIR = Path(os.environ.get("QINGXIE_NODE_MODULES") or REPO_DIR / "node_modules")
# An installed wheel carries them in qingxie/vendor_assets/ instead (setup.py, qingxie/vendor.py).
QINGXIE_VENDOR_FILES = dict(VENDOR_FILES)


def _storage_dir() -> Path:
    """Where uploads, import results, generated files and evidence are kept.

    QINGXIE_STORAGE_DIR (one directory shared by every app server), else `<data dir>/storage`.
    A data directory made before that setting kept evidence in `<data dir>/media`: while that
    directory exists and `storage` does not, it stays the location, so old evidence is still
    found and no file or row has to move.
    """
    if configured := os.environ.get("QINGXIE_STORAGE_DIR"):
        return Path(configured).expanduser()
    legacy, current = DATA_DIR / "media", DATA_DIR / "storage"
    return legacy if legacy.is_dir() and not current.exists() else current


STORAGE_DIR = _storage_dir()
STORAGE_DIR.mkdir(parents=True, exist_ok=True)
# Any Django storage backend can replace the directory (e.g. an S3-compatible one) by
# setting STORAGES["default"] in a settings module that imports this one.
STORAGES = {
    # The directory is MEDIA_ROOT (below), not an option, so tests that move MEDIA_ROOT move it.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "qingxie.core.staticfinders.StaticStorage"},
}
MEDIA_ROOT = STORAGE_DIR
MAPS_DIR = STATIC_ROOT / "maps"

# Number of reverse proxies in front of qingxie whose X-Forwarded-For is trusted (0: none).
QINGXIE_TRUSTED_PROXIES = int(os.environ.get("QINGXIE_TRUSTED_PROXIES", "0"))

# --- Login protection and headers (docs/security.md) ---
SESSION_COOKIE_AGE = int(os.environ.get("QINGXIE_SESSION_SECONDS", str(8 * 3600)))
# A signed-in page left untouched this long signs the user out (0: no idle limit).
QINGXIE_IDLE_SECONDS = int(os.environ.get("QINGXIE_IDLE_SECONDS", str(30 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Powerful browser features no page of qingxie uses, refused to every page and anything it embeds.
QINGXIE_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), interest-cohort=()"
)
QINGXIE_HTTPS = _env_bool("QINGXIE_HTTPS")
if QINGXIE_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("QINGXIE_HSTS_SUBDOMAINS", True)
    # The preload token only consents to browsers' built-in HTTPS list; nothing happens until the
    # domain's owner submits it. QINGXIE_HSTS_PRELOAD=0 leaves it out.
    SECURE_HSTS_PRELOAD = _env_bool("QINGXIE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The load balancer's health probe speaks plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# No inline script or style anywhere: scripts and styles come from our own static files; ECharts
# and htmx set styles through the CSSOM, which style-src does not govern. JSON data for scripts
# travels in <script type="application/json"> (json_script), which is not executed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the small icons Swagger UI's stylesheet embeds; blob: for ECharts' image export.
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# django-axes: 5 failed passwords for one user name from one address lock that pair for 30 minutes
# (a colleague at another address, or another account at this one, can still sign in).
AUTHENTICATION_BACKENDS = [
    "qingxie.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("QINGXIE_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("QINGXIE_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "qingxie.accounts.login.lockout_response"
AXES_CLIENT_IP_CALLABLE = "qingxie.core.middleware.client_ip"
AXES_VERBOSE = False
# Administrators (national/province/city/county admin, superusers) confirm a TOTP code after their
# password; QINGXIE_ADMIN_OTP=0 turns this off for a closed test network. Demo accounts are exempt.
QINGXIE_ADMIN_OTP = _env_bool("QINGXIE_ADMIN_OTP", True)
OTP_TOTP_ISSUER = "青协信息平台"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Bearer first: an anonymous caller then gets 401 with WWW-Authenticate, not 403.
        "qingxie.core.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "qingxie.core.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "qingxie.core.api.exception_handler",
    # JSON bodies bounded in size and depth, objects only (core.api.BoundedJSONParser).
    "DEFAULT_PARSER_CLASSES": [
        "qingxie.core.api.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Per client address for anonymous callers, per user (session or token) for signed-in ones.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("QINGXIE_API_ANON_RATE", "30/min"),
        "user": os.environ.get("QINGXIE_API_USER_RATE", "1200/min"),
    },
    # 0: the address is REMOTE_ADDR; a client-written X-Forwarded-For is never believed.
    "NUM_PROXIES": QINGXIE_TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "青协 qingxie API",
    "DESCRIPTION": "全国青年志愿者协会信息平台接口。所有查询按用户的行政区划权限范围过滤。",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `state`; each enum gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ChecklistStateEnum": "qingxie.ledger.choices.ChecklistState",
        "JobStateEnum": "qingxie.core.jobs.Job.State",
    },
}

# --- Input bounds (docs/security.md lists every hostile file and body and what stops it) ---
_MB = 1024 * 1024
# A request body (JSON or a form's fields) longer than this is refused (API: 413) unread.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("QINGXIE_BODY_MAX_BYTES", str(2 * _MB)))
# Uploaded files, counted while they stream (core.uploads); per form field where it differs.
FILE_UPLOAD_HANDLERS = [
    "qingxie.core.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
QINGXIE_IMPORT_MAX_BYTES = int(os.environ.get("QINGXIE_IMPORT_MAX_BYTES", str(30 * _MB)))
QINGXIE_UPLOAD_MAX_BYTES = QINGXIE_IMPORT_MAX_BYTES
QINGXIE_UPLOAD_LIMITS = {
    "evidence": int(os.environ.get("QINGXIE_EVIDENCE_MAX_BYTES", str(20 * _MB)))
}
# An xlsx inflated, its compression ratio, and the memory one import may add (core.tabular).
QINGXIE_IMPORT_MAX_INFLATED_BYTES = int(
    os.environ.get("QINGXIE_IMPORT_MAX_INFLATED_BYTES", str(512 * _MB))
)
QINGXIE_IMPORT_MAX_RATIO = int(os.environ.get("QINGXIE_IMPORT_MAX_RATIO", "100"))
QINGXIE_IMPORT_MAX_MEMORY_BYTES = int(
    os.environ.get("QINGXIE_IMPORT_MAX_MEMORY_BYTES", str(1024 * _MB))
)

# --- Background jobs (core/jobs.py, docs/deployment.md) ---
# "database" (default): the queue is a table in the one database, nothing else to run.
# A redis:// URL: the queue lives in Redis (needs the `redis` package); job state stays in
# the database either way.
QINGXIE_JOB_BROKER = os.environ.get("QINGXIE_JOB_BROKER", "database").strip() or "database"
# Run jobs inline in the process that starts them (tests; a one-shot command).
QINGXIE_JOBS_SYNC = _env_bool("QINGXIE_JOBS_SYNC")
Q_CLUSTER = {
    "name": "qingxie",
    "workers": int(os.environ.get("QINGXIE_JOB_WORKERS", "2")),
    # A job longer than this is stopped; an unacknowledged message is redelivered after retry.
    "timeout": int(os.environ.get("QINGXIE_JOB_TIMEOUT", "1800")),
    "retry": int(os.environ.get("QINGXIE_JOB_TIMEOUT", "1800")) + 60,
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    "poll": 0.5,
    "save_limit": 100,
    "label": "后台任务队列",
}
if QINGXIE_JOB_BROKER == "database":
    Q_CLUSTER["orm"] = "default"
else:
    Q_CLUSTER["redis"] = QINGXIE_JOB_BROKER

# Structured logs (ops/logs.py): JSON lines in <data dir>/logs/qingxie.log — time, level,
# logger, message, request id, user id, method, path, status, duration — one access line per
# request (logger qingxie.access); expected refusals (403/404/429 …) without a traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"expected": {"()": "qingxie.ops.logs.ExpectedResponseFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "qingxie.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "level": "WARNING",
            "filters": ["expected"],
        },
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(LOG_DIR / "qingxie.log"),
            "maxBytes": 10 * 1024 * 1024,
            "backupCount": 5,
            "formatter": "json",
            "encoding": "utf-8",
            "filters": ["expected"],
        },
    },
    "root": {"handlers": ["console", "file"], "level": "WARNING"},
    "loggers": {"qingxie": {"level": "INFO"}},
}

# Prometheus metrics (ops/metrics.py): every server process counts into this directory, so
# /metrics sums them; `qingxie serve` empties it at start. Set before prometheus-client loads,
# and always from this data directory (a child process inherits the variable from its parent).
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(
    Path(os.environ.get("QINGXIE_METRICS_DIR") or DATA_DIR / "metrics")
)
Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
