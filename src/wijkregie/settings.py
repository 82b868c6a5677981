"""Settings, read from the environment (see .env.example). SQLite is the embedded default."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("WIJKREGIE_HOME", SRC_DIR.parent.parent))


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or envbool("WIJKREGIE_INSECURE_DEV_KEY", True)):
    # Development and test only; production sets SECRET_KEY and WIJKREGIE_INSECURE_DEV_KEY=0.
    SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

# Key material for keyed pseudonyms (HMAC-SHA-256), never stored in the database.
PSEUDONYM_KEY = os.environ.get("PSEUDONYM_KEY", "development-pseudonym-key")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "wijkregie.web.apps.WebConfig",
    "wijkregie.admin_apps.WijkregieAdminConfig",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "wijkregie.tenants.apps.TenantsConfig",
    "wijkregie.areas.apps.AreasConfig",
    "wijkregie.signals.apps.SignalsConfig",
    "wijkregie.privacy.apps.PrivacyConfig",
    "wijkregie.addresses.apps.AddressesConfig",
    "wijkregie.intake.apps.IntakeConfig",
    "wijkregie.residents.apps.ResidentsConfig",
    "wijkregie.open311.apps.Open311Config",
    "wijkregie.analysis.apps.AnalysisConfig",
    "wijkregie.subjects.apps.SubjectsConfig",
    "wijkregie.cases.apps.CasesConfig",
    "wijkregie.notifications.apps.NotificationsConfig",
    "wijkregie.documents.apps.DocumentsConfig",
    "wijkregie.learning.apps.LearningConfig",
    "wijkregie.demo.apps.DemoConfig",
    "wijkregie.api.apps.ApiConfig",
]

MIDDLEWARE = [
    # First: log records written while a request is handled can redact what it posted.
    "wijkregie.privacy.logfilter.CurrentRequestMiddleware",
    "wijkregie.web.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wijkregie.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages: logs out a session idle for SESSION_IDLE_TIMEOUT (ADR 0015).
    "wijkregie.web.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Must stay last: it sees every /api response, including Django's own 404s.
    "wijkregie.api.middleware.ApiVersionMiddleware",
]

ROOT_URLCONF = "wijkregie.urls"
WSGI_APPLICATION = "wijkregie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wijkregie.web.context_processors.viewer",
                "wijkregie.notifications.context_processors.unread",
                "wijkregie.learning.context_processors.circle",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'wijkregie.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tenants.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "wijkregie.tenants.passwords.DutchMinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
NODE_MODULES = Path(os.environ.get("WIJKREGIE_NODE_MODULES", BASE_DIR / "node_modules"))
# Front-end packages are installed by npm (package.json + lockfile) and served from node_modules;
# nothing third-party is committed.
STATICFILES_DIRS = [
    ("vendor/utrecht", NODE_MODULES / "@utrecht" / "component-library-css" / "dist"),
    (
        "vendor/theme",
        NODE_MODULES / "@nl-design-system-unstable" / "voorbeeld-design-tokens" / "dist",
    ),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded photos: never under STATIC or a public URL; served by a view after access checks.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/bijlagen/"  # not routed; attachments are served by wijkregie views only
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))  # photos
IMPORT_UPLOAD_MAX_BYTES = int(os.environ.get("IMPORT_UPLOAD_MAX_BYTES", str(200 * 1024 * 1024)))
# A running import whose worker has not reported for this long may be resumed by the user.
IMPORT_STALE_SECONDS = int(os.environ.get("IMPORT_STALE_SECONDS", "300"))
# A report (documents app) whose worker has not reported for this long may be retried.
DOCUMENT_STALE_SECONDS = envint("DOCUMENT_STALE_SECONDS", 600)
# Generated documents (and their files) older than this are deleted by `wijkregie purge-documents`.
DOCUMENT_RETENTION_DAYS = envint("DOCUMENT_RETENTION_DAYS", 30)
# `wijkregie purge` (ADR 0017): the default term of signals without a category or agreement
# term, and of the access and audit logs (five years), unless the municipality sets its own.
SIGNAL_RETENTION_DAYS = envint("SIGNAL_RETENTION_DAYS", 730)
LOG_RETENTION_DAYS = envint("LOG_RETENTION_DAYS", 5 * 365 + 1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # JSON batches of 1,000 signals fit
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
WHITENOISE_USE_FINDERS = True  # serve straight from the finders; `collectstatic` is optional
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Cookies only over HTTPS unless DEBUG; plain-HTTP set-ups (`make demo`) set SECURE_COOKIES=0.
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HSTS on HTTPS responses unless DEBUG (Django sends it only on secure requests). Behind a TLS
# proxy set SECURE_PROXY_SSL_HEADER=1 when the proxy sets X-Forwarded-Proto (and strips it).
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
if envbool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)

# --- Staff authentication (ADR 0015) -------------------------------------------------------
# TOTP (authenticator app) after the password, for every staff user. Only a demo or a test set-up
# may switch the requirement off (WIJKREGIE_MFA_REQUIRED=0); users who set up an app are asked
# for a code all the same.
MFA_REQUIRED = envbool("WIJKREGIE_MFA_REQUIRED", True)
MFA_ISSUER = os.environ.get("WIJKREGIE_MFA_ISSUER", "Wijkregie")
# Key that encrypts the TOTP secrets in the database (any string; derived from SECRET_KEY when
# empty, so changing SECRET_KEY then means setting up the apps again).
MFA_ENCRYPTION_KEY = os.environ.get("WIJKREGIE_MFA_KEY", "")
# Seconds between the password and the code (or setting up the app) before starting over.
MFA_PENDING_SECONDS = envint("MFA_PENDING_SECONDS", 300)
# Lockout: this many failed steps (password or code) within LOGIN_FAILURE_WINDOW seconds, per
# account or per client (HMAC of the IP address), refuse further logins for LOGIN_LOCKOUT_SECONDS.
LOGIN_FAILURE_WINDOW = envint("LOGIN_FAILURE_WINDOW", 15 * 60)
LOGIN_MAX_FAILURES_ACCOUNT = envint("LOGIN_MAX_FAILURES_ACCOUNT", 5)
LOGIN_MAX_FAILURES_CLIENT = envint("LOGIN_MAX_FAILURES_CLIENT", 20)
LOGIN_LOCKOUT_SECONDS = envint("LOGIN_LOCKOUT_SECONDS", 15 * 60)
# A session without a request for this many seconds is logged out (0: never).
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_TIMEOUT", 30 * 60)
# Optional login through the municipality's OpenID Connect provider (authorization code + PKCE).
# Users are matched to existing accounts of OIDC_MUNICIPALITY (CBS code) by OIDC_USERNAME_CLAIM
# ("preferred_username" -> username, "email" -> e-mail address); nobody is created.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_MUNICIPALITY = os.environ.get("OIDC_MUNICIPALITY", "")
OIDC_USERNAME_CLAIM = os.environ.get("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid profile email")
# The login link's text; default "Inloggen via uw gemeente-account".
OIDC_LABEL = os.environ.get("OIDC_LABEL", "")
# Count the provider's login as two-factor when its ID token says so (amr "mfa", "otp", "hwk",
# "swk", "sms"), or always when OIDC_TRUST_MFA=1; otherwise the TOTP step follows.
OIDC_TRUST_MFA = envbool("OIDC_TRUST_MFA", False)
OIDC_TIMEOUT = envint("OIDC_TIMEOUT", 10)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "wijkregie.tenants.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["wijkregie.api.renderers.CamelCaseJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["wijkregie.api.parsers.StrictCamelCaseJSONParser"],
    "EXCEPTION_HANDLER": "wijkregie.api.problems.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Per token or user, and per client (HMAC of the IP) for unauthenticated calls (ADR 0015).
    "DEFAULT_THROTTLE_CLASSES": ["wijkregie.tenants.throttling.ApiRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api": os.environ.get("API_RATE_LIMIT", "1200/minute"),
        "api_anonymous": os.environ.get("API_RATE_LIMIT_ANONYMOUS", "60/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Wijkregie API",
    "DESCRIPTION": "Signals, areas and categories of one municipality, scoped to the caller.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "CAMELIZE_NAMES": True,
    "ENUM_NAME_OVERRIDES": {
        "ConfidentialityEnum": "wijkregie.signals.models.Confidentiality",
        "SubjectKindEnum": "wijkregie.subjects.models.SubjectKind",
        "SignalRoleEnum": "wijkregie.subjects.models.SignalRole",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "drf_spectacular.contrib.djangorestframework_camel_case.camelize_serializer_fields",
    ],
}
API_VERSION = "1.0.0"
JSON_UNDERSCOREIZE = {"no_underscore_before_number": True}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if envbool("TASKS_IMMEDIATE", False):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "wijkregie@localhost")

# Map: no tile server by default (closed network). Set to e.g. an internal WMTS/XYZ URL.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")

# Figures shown to viewers without need-to-know suppress counts below this threshold.
SMALL_COUNT_THRESHOLD = envint("SMALL_COUNT_THRESHOLD", 5)
SIGNAL_PAGE_SIZE = envint("SIGNAL_PAGE_SIZE", 50)

# Public resident reports (/melden/) and Open311: the municipality /melden/ opens with when an
# installation holds several (CBS code, e.g. GM0307), and the submissions allowed per client
# (keyed HMAC of the IP address, never the address itself) as "count/seconds" pairs.
RESIDENT_DEFAULT_MUNICIPALITY = os.environ.get("RESIDENT_DEFAULT_MUNICIPALITY", "")
RESIDENT_RATE_LIMITS = [
    (int(count), int(seconds))
    for count, seconds in (
        item.split("/") for item in envlist("RESIDENT_RATE_LIMITS", "5/600,20/86400")
    )
]
# The public address of this installation, for links in e-mails to residents.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://localhost:8000")
# Duplicate hints on a signal: open signals of the same category within this distance (metres)
# and this many days before or after it. Staff can widen or narrow both on the page.
DUPLICATE_HINT_RADIUS_M = envint("DUPLICATE_HINT_RADIUS_M", 50)
DUPLICATE_HINT_DAYS = envint("DUPLICATE_HINT_DAYS", 14)

# Every handler redacts BSNs and personal fields (privacy/logfilter.py, ADR 0012); Django's
# own console and e-mail handlers are replaced so that no record reaches an unfiltered one.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_personal_data": {"()": "wijkregie.privacy.logfilter.RedactPersonalData"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_personal_data"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_personal_data"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "redact_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
# Error reports (debug page, e-mails to ADMINS) hide secrets and personal data.
DEFAULT_EXCEPTION_REPORTER_FILTER = (
    "wijkregie.privacy.logfilter.PersonalDataExceptionReporterFilter"
)
DEFAULT_EXCEPTION_REPORTER = "wijkregie.privacy.logfilter.PersonalDataExceptionReporter"
# Privacy officer's alerts: a user reading more distinct subjects than this in one day, looked
# for over the last ACCESS_ALERT_DAYS days.
ACCESS_ALERT_SUBJECTS_PER_DAY = envint("ACCESS_ALERT_SUBJECTS_PER_DAY", 25)
ACCESS_ALERT_DAYS = envint("ACCESS_ALERT_DAYS", 30)
