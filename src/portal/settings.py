"""The one settings module of Klantportaal.

Every setting that differs between the embedded mode (``make run``) and production comes from an
environment variable; each is documented in the README ("Configuration"). Defaults are the
embedded ones: SQLite under ``var/``, files under ``var/media/``, Celery eager, e-mail to
``var/mail/``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
VAR_DIR = Path(os.environ.get("VAR_DIR", PROJECT_DIR / "var"))


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Embedded mode: one random key per checkout, kept under var/ so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# In development also every name under .localhost (browsers send those to this machine): an
# office added with `manage.py office add NAME --host kantoor.localhost` is reachable at once.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,.localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address of the portal, used for links in e-mails (no trailing slash).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "portal.offices",
    "portal.accounts",
    "portal.dossiers",
    "portal.documents",
    "portal.messaging",
    "portal.audit",
    "portal.notifications",
    "portal.questionnaires",
    "portal.exports",
    "portal.twofactor",
    "portal.web",
    "portal.workspace",
    "portal.maintenance",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal.integrations",
    "portal.retention",
    "portal.adminsite",
]


def _dev_app_wanted() -> bool:
    """The development app (``manage.py demo``, ``generate_data``) is in the source tree only,
    never in the runtime package: installed with DEBUG (or PORTAL_DEV_APP=1, e.g. for a
    benchmark database) when it is importable; PORTAL_DEV_APP=0 keeps it out."""
    wanted = env_bool("PORTAL_DEV_APP", DEBUG)
    if not wanted or importlib.util.find_spec("portal_dev") is not None:
        return wanted
    if env_bool("PORTAL_DEV_APP", False):
        raise ImproperlyConfigured(
            "PORTAL_DEV_APP is on, but the portal_dev package is not importable: it is in the "
            "source tree (src/portal_dev), not in the installed package."
        )
    return False


if _dev_app_wanted():
    INSTALLED_APPS.append("portal_dev")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise: static files and every error page carry these headers too.
    "portal.middleware.BrowserPolicyMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files stay cacheable; every other answer passes here.
    "portal.middleware.NoStoreForUsersMiddleware",
    # The request's office, by host name: before anything reads office data (R-TEN-1).
    "portal.offices.middleware.OfficeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.offices.middleware.SessionOfficeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who and from where, for every audit entry of the request (after authentication).
    "portal.audit.context.AuditContextMiddleware",
    "portal.audit.middleware.DenialAuditMiddleware",
    "portal.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.accounts.session_timeout.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "portal.offices.context_processors.office",
                "portal.questionnaires.context_processors.open_actions",
                "portal.accounts.session_timeout.session_settings",
            ],
            # {% load jinja %}: a Jinja2 template in its place in a Django template.
            "libraries": {"jinja": "portal.jinja_env"},
        },
    },
    # The long tables of the client's and the workspace's pages: rows in Jinja2 templates
    # (each app's jinja2/ folder), included by {% jinja %}; the admin and the pages around the
    # tables stay on Django templates. Autoescape on (portal.jinja_env).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "portal.jinja_env.environment"},
    },
]
# Forms render with portal.forms.BoundField: no ":" after the label of a checkbox.
FORM_RENDERER = "portal.forms.FormRenderer"

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        # A kept connection is checked before a request reuses it, so after a database restart
        # the next request reconnects instead of failing on the dead connection.
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
# PostgreSQL with two roles (R-TEN-2): DATABASE_URL is the application's role, which owns no
# table; DATABASE_OWNER_URL (the same database, as the tables' owner) is used by `migrate` only,
# which then grants the application's role its rights (portal.core.rls). Unset: one role does
# both; row-level security still holds for it, being forced on the owner too.
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
DATABASE_OWNER = dj_database_url.parse(DATABASE_OWNER_URL) if DATABASE_OWNER_URL else {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "portal.accounts.validators.PortalPasswordRuleValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "full_name"]},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Lifetime of the links in onboarding e-mails, in hours.
INVITATION_LINK_HOURS = env_int("INVITATION_LINK_HOURS", 72)
PASSWORD_LINK_HOURS = env_int("PASSWORD_LINK_HOURS", 1)
if not 1 <= INVITATION_LINK_HOURS <= 72:
    raise ImproperlyConfigured("INVITATION_LINK_HOURS must be between 1 and 72.")
if not 1 <= PASSWORD_LINK_HOURS <= 24:
    raise ImproperlyConfigured("PASSWORD_LINK_HOURS must be between 1 and 24.")

# Brute-force protection (django-axes): lock a user+address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
# Locked per address (a password spray from one address, whatever accounts it tries) and per
# account and address pair. Never per account alone: anyone could then lock a client out by
# typing wrong passwords for their address. A distributed guess at one account is slowed down
# instead (accounts/lockout.py): after LOGIN_LINK_AFTER_FAILURES failures for an address from
# anywhere within the cool-off, its login needs a link e-mailed to that address as well as the
# password; the link works once and for LOGIN_LINK_MINUTES.
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "portal.audit.context.client_ip"
# A successful login forgets the failures of its own account and address pair only
# (accounts/lockout.py), never those of the address or the account as a whole: logging in to an
# account of one's own must not wipe the count of guesses at someone else's.
AXES_RESET_ON_SUCCESS = False
LOGIN_LINK_AFTER_FAILURES = env_int("LOGIN_LINK_AFTER_FAILURES", AXES_FAILURE_LIMIT)
LOGIN_LINK_MINUTES = env_int("LOGIN_LINK_MINUTES", 15)
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_USERNAME_FORM_FIELD = "username"
# The typed address prefixed with the request's office: failures count per office (R-TEN-3).
AXES_USERNAME_CALLABLE = "portal.accounts.lockout.lockout_key"

# Rate limits (ASVS V6) of what can be hammered without a password or with a stolen
# one: django-ratelimit counts per client address (audit.context.client_ip, so a forged
# X-Forwarded-For neither hides nor blames), per e-mail address typed and per user, in the
# default cache (several app servers need REDIS_URL to share the counts). A rate is
# "<requests>/<period>", the period s, m, h or d, optionally with a number: "10/5m".
RATE_LIMIT_RE = r"^[1-9][0-9]*/([1-9][0-9]*)?[smhd]$"


def env_rate(name: str, default: str, pattern: str = RATE_LIMIT_RE) -> str:
    value = os.environ.get(name, "").strip() or default
    if not re.match(pattern, value):
        raise ImproperlyConfigured(f"{name} must look like 10/5m or 20/h, got {value!r}")
    return value


# The forgotten-password form (R-ACC-4): requests per address, and per e-mail address entered
# (known or not: the limit itself must not tell whether an address has an account).
RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS = env_rate("RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS", "20/h")
RATE_LIMIT_PASSWORD_RESET_PER_EMAIL = env_rate("RATE_LIMIT_PASSWORD_RESET_PER_EMAIL", "5/h")
# Invitation and set-password links opened and their forms sent (guessing a token), per address.
RATE_LIMIT_ACCOUNT_LINKS_PER_ADDRESS = env_rate("RATE_LIMIT_ACCOUNT_LINKS_PER_ADDRESS", "30/h")
# Second-factor codes entered (login, setting up SMS or the app), per address and per user, on
# top of django-otp's growing wait per device and the 10 wrong codes per login attempt.
RATE_LIMIT_CODES_PER_ADDRESS = env_rate("RATE_LIMIT_CODES_PER_ADDRESS", "10/5m")
RATE_LIMIT_CODES_PER_USER = env_rate("RATE_LIMIT_CODES_PER_USER", "10/5m")
# Requests that send an SMS code (setting up a number, "send again"), per address and per user;
# SMS_CODES_PER_HOUR still caps the codes per number.
RATE_LIMIT_SMS_PER_ADDRESS = env_rate("RATE_LIMIT_SMS_PER_ADDRESS", "20/h")
RATE_LIMIT_SMS_PER_USER = env_rate("RATE_LIMIT_SMS_PER_USER", "10/h")
# The password asked again before a second-factor change (a hijacked session guessing it).
RATE_LIMIT_PASSWORD_CHECKS_PER_USER = env_rate("RATE_LIMIT_PASSWORD_CHECKS_PER_USER", "10/h")
# The public verify page (R-SIG-2): checks (a file or a code) per address.
RATE_LIMIT_VERIFY_PER_ADDRESS = env_rate("RATE_LIMIT_VERIFY_PER_ADDRESS", "20/h")
# django_ratelimit is used as a library, not listed in INSTALLED_APPS: it has no models, and
# its system check calls Django's own RedisCache "not officially supported", a warning that
# would fail `check --deploy --fail-level WARNING` (that cache increments with Redis' INCR).
# The cache being unreachable must not take the pages down: the request goes through (and is
# logged); the login lockout, django-otp's throttling and SMS_CODES_PER_HOUR keep counting in
# the database.
RATELIMIT_FAIL_OPEN = True

# Two-step verification (R-ME-2, R-X-2): SMS codes and the authenticator app (django-otp).
SMS_CODE_MINUTES = 10
SMS_CODES_PER_HOUR = env_int("SMS_CODES_PER_HOUR", 5)
# Wrong codes: after n failures a wait of factor * 2^(n-1) seconds (django-otp's throttling).
OTP_THROTTLE_FACTOR = 1
OTP_TOTP_THROTTLE_FACTOR = OTP_THROTTLE_FACTOR


def _totp_issuer(device) -> str:
    # django-otp takes the issuer as a string or a callable, and the office's name is in the
    # database: settings load before the app registry, so the model is imported when a TOTP
    # device's URI is made, not here (the one import of the portal inside a function). The
    # account's own office names it (a hosting administrator has none).
    from portal.offices.models import Office

    office_id = device.user.office_id
    if office_id is None:
        return "Klantportaal hosting"
    return Office.objects.get(pk=office_id).name


OTP_TOTP_ISSUER = _totp_issuer

# Passkeys (WebAuthn) on django-otp-webauthn's models, through the portal's own pages
# (twofactor/passkeys.py): the relying party id is the host name the request came to (one of
# its office's, R-TEN-3) and the only accepted origin is that address, both read by the helper
# when a ceremony runs. Hence no fixed OTP_WEBAUTHN_ALLOWED_ORIGINS (and its check silenced).
OTP_WEBAUTHN_HELPER_CLASS = "portal.twofactor.passkeys.PortalWebAuthnHelper"
OTP_WEBAUTHN_RP_ID_CALLABLE = "portal.twofactor.passkeys.rp_id"
OTP_WEBAUTHN_RP_NAME_CALLABLE = "portal.twofactor.passkeys.rp_name"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = True
OTP_WEBAUTHN_TIMEOUT_SECONDS = 5 * 60
# auth.W004: an e-mail address is unique per office (R-TEN-3), and every authentication path
# looks accounts up in the request's office only.
SILENCED_SYSTEM_CHECKS = ["otp_webauthn.E030", "auth.W004"]

# A session ends after SESSION_IDLE_MINUTES without activity (the page warns a few minutes
# before) and SESSION_ABSOLUTE_HOURS after the login, whatever happens (accounts.session_timeout).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 8)
SESSION_WARNING_SECONDS = env_int("SESSION_WARNING_SECONDS", 120)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", SESSION_ABSOLUTE_HOURS * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # The __Host- prefix: the browser only accepts these cookies over HTTPS, for this host
    # exactly (no Domain) and the whole site (Path=/), so no sub-domain can set or read them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Other sites may not embed our responses (portal.middleware.BrowserPolicyMiddleware).
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
# Browser features no page uses, switched off ("feature=()") for this origin and every frame.
# Not WebAuthn (publickey-credentials-get/-create): passkeys must keep working. Only names
# browsers know: an unknown one is a console error in Chromium.
PERMISSIONS_POLICY = [
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The load balancer's health checks may come over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# The preload flag only matters once the domain is submitted to the browsers' preload list.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the app append to X-Forwarded-For (see audit.context.client_ip).
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_TLS_PROXY", False) else 0
)

# Content-Security-Policy (django-csp): only this origin's scripts and styles, the one inline
# <style> (the office's colours) carries the per-request nonce; no frames, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF, CSP_NONCE],
        "style-src": [CSP_SELF, CSP_NONCE],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "object-src": [CSP_NONE],
    }
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

# --- Static and private files ---------------------------------------------------------------
STATIC_URL = "/static/"
# The project-wide stylesheet lives in src/portal/static/; "portal" itself is not an app, so
# the app-directories finder would never find it.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", PROJECT_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Files being received are written here (never kept in memory): on the disk of MEDIA_ROOT, so
# that the local storage moves a received file into place instead of copying it.
_upload_temp_dir = Path(os.environ.get("FILE_UPLOAD_TEMP_DIR", VAR_DIR / "uploads-tmp"))
FILE_UPLOAD_TEMP_DIR: Path | None = _upload_temp_dir
try:
    _upload_temp_dir.mkdir(parents=True, exist_ok=True)
except OSError:  # a read-only VAR_DIR (e.g. with S3 storage): the system's temporary folder
    FILE_UPLOAD_TEMP_DIR = None
# No MEDIA_URL: private files are only ever served through views that check access.
STORAGES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- S3 -------------------------------------------------------------------------------------
# Private files in S3-compatible object storage (django-storages) instead of MEDIA_ROOT, when
# S3_BUCKET is set. Objects are never public: no ACL is sent (the bucket's own private default
# applies; keep "Block Public Access" on), no custom domain, and URLs are always signed.
#   S3_BUCKET              bucket name; setting it switches private file storage to S3
#   S3_ENDPOINT_URL        endpoint of an S3-compatible provider or MinIO/moto, e.g.
#                          https://s3.nl-ams.scw.cloud (empty: Amazon S3)
#   S3_REGION              region of the bucket, e.g. eu-central-1 (empty: boto's default)
#   S3_ADDRESSING_STYLE    "path" or "virtual" (empty: boto chooses; "path" for MinIO/moto)
#   S3_URL_EXPIRE_SECONDS  lifetime of signed download URLs, 1..3600 seconds (default 60)
#   S3_SSE                 1: ask S3 to encrypt objects at rest (ServerSideEncryption AES256)
#   AWS_ACCESS_KEY_ID      access key; set together with AWS_SECRET_ACCESS_KEY (both empty:
#   AWS_SECRET_ACCESS_KEY    boto's default chain: AWS_PROFILE, ~/.aws, instance/task role)


def s3_storage() -> dict:
    """The STORAGES entry for the S3 bucket named by S3_BUCKET (see the list above)."""
    expire = env_int("S3_URL_EXPIRE_SECONDS", 60)
    if not 1 <= expire <= 3600:
        raise ImproperlyConfigured("S3_URL_EXPIRE_SECONDS must be between 1 and 3600.")
    addressing_style = os.environ.get("S3_ADDRESSING_STYLE", "").strip() or None
    if addressing_style not in {None, "auto", "path", "virtual"}:
        raise ImproperlyConfigured("S3_ADDRESSING_STYLE must be 'path', 'virtual' or 'auto'.")
    access_key = os.environ.get("AWS_ACCESS_KEY_ID", "")
    secret_key = os.environ.get("AWS_SECRET_ACCESS_KEY", "")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither."
        )
    options = {
        "bucket_name": os.environ["S3_BUCKET"],
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL", "") or None,
        "region_name": os.environ.get("S3_REGION", "") or None,
        "addressing_style": addressing_style,
        "signature_version": "s3v4",
        # Private: no ACL on upload, no public domain, only signed, short-lived URLs.
        "default_acl": None,
        "custom_domain": None,
        "querystring_auth": True,
        "querystring_expire": expire,
        # Never replace an existing object; names are random anyway.
        "file_overwrite": False,
        "object_parameters": {"ServerSideEncryption": "AES256"} if env_bool("S3_SSE") else {},
        # Reading a file spools the object into a temporary file; above 2 MiB on disk, not in
        # memory (the default, 0, would keep a whole 1 GB object in the worker's memory).
        "max_memory_size": 2 * 1024 * 1024,
    }
    if access_key:
        options.update(access_key=access_key, secret_key=secret_key)
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = s3_storage()
# --- end S3 ---------------------------------------------------------------------------------

WHITENOISE_USE_FINDERS = DEBUG

# Uploads (R-X-3): per-file limit, and the ClamAV daemon that scans them
# (tcp://host:port or unix:///path/to/clamd.ctl; empty: no scan).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 50) * 1024 * 1024
# Per request that carries files: at most this many files and this many bytes together. Decided
# before the body is read where possible (the announced length; files.upload_handlers), so
# a flood of files costs no disk; a file past either limit is refused with a message.
UPLOAD_MAX_FILES = env_int("UPLOAD_MAX_FILES", 20)
UPLOAD_MAX_TOTAL_BYTES = env_int("UPLOAD_MAX_TOTAL_MB", 200) * 1024 * 1024
if UPLOAD_MAX_FILES < 1 or UPLOAD_MAX_TOTAL_BYTES < UPLOAD_MAX_BYTES:
    raise ImproperlyConfigured(
        "UPLOAD_MAX_FILES must be 1 or more, UPLOAD_MAX_TOTAL_MB at least UPLOAD_MAX_MB."
    )
# Views that take files install their own handler with their access check; every other view
# (the admin's, the API's) gets the same limits, and no files from visitors not signed in.
FILE_UPLOAD_HANDLERS = ["portal.files.upload_handlers.DefaultUploadHandler"]
# Files uploaded in a message's attachments dialog but never sent are removed after this long.
STAGED_UPLOAD_HOURS = env_int("STAGED_UPLOAD_HOURS", 24)

# In-portal preview (R-SIG-3): pages are rendered in a child process with these limits; a file
# that needs more cannot be viewed (it can still be downloaded). A PDF with more pages than
# PREVIEW_MAX_PAGES shows its first pages and says so.
PREVIEW_TIMEOUT = env_int("PREVIEW_TIMEOUT", 60)  # seconds, wall clock and CPU
PREVIEW_MEMORY_MB = env_int("PREVIEW_MEMORY_MB", 1024)  # the child's address space
PREVIEW_MAX_PAGES = env_int("PREVIEW_MAX_PAGES", 100)
PREVIEW_MAX_PIXELS = env_int("PREVIEW_MAX_PIXELS", 4_000_000)  # per page image
CLAMAV_URL = os.environ.get("CLAMAV_URL", "")
CLAMAV_TIMEOUT = env_int("CLAMAV_TIMEOUT", 30)
# Without CLAMAV_URL uploads are not scanned: in production `check --deploy` warns
# (portal.W013) and readiness reports the scanner "not configured", unless this says that
# running without ClamAV is meant (files are scanned elsewhere).
CLAMAV_DISABLED = env_bool("CLAMAV_DISABLED", False)
if CLAMAV_DISABLED and CLAMAV_URL:
    raise ImproperlyConfigured("Set CLAMAV_URL or CLAMAV_DISABLED=1, not both.")

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_URL = os.environ.get("EMAIL_URL", "")
MAIL_DIR = Path(os.environ.get("MAIL_DIR", VAR_DIR / "mail"))
if EMAIL_URL:
    # smtp://user:password@host:port, smtp+tls://… (STARTTLS) or smtps://… (implicit TLS)
    from urllib.parse import unquote, urlsplit

    _mail = urlsplit(EMAIL_URL)
    if _mail.scheme not in {"smtp", "smtp+tls", "smtps"}:
        raise ImproperlyConfigured("EMAIL_URL must start with smtp://, smtp+tls:// or smtps://")
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme == "smtp+tls"
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "portal.notifications.backends.OutboxEmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Klantportaal <noreply@localhost>")

# --- SMS ------------------------------------------------------------------------------------
# "outbox": files in SMS_DIR, readable at /dev/outbox/ (embedded mode); "twilio": Twilio's API.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "outbox")
SMS_DIR = Path(os.environ.get("SMS_DIR", VAR_DIR / "sms"))
SMS_FROM = os.environ.get("SMS_FROM", "Notaris")
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 10)
TWILIO_API_URL = os.environ.get("TWILIO_API_URL", "https://api.twilio.com").rstrip("/")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
if SMS_BACKEND == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN):
    raise ImproperlyConfigured("SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.")

# Notification e-mails (R-ME-3): events within this many seconds become one e-mail.
NOTIFICATION_DIGEST_SECONDS = env_int("NOTIFICATION_DIGEST_SECONDS", 120)

# --- Background work (Celery) ---------------------------------------------------------------
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
# Eager mode runs tasks in-process; the in-memory broker is never used for delivery.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://"
CELERY_BEAT_SCHEDULE = {
    "send-pending-email": {
        "task": "portal.notifications.tasks.send_pending_email",
        "schedule": 300,
    },
    "send-due-notifications": {
        "task": "portal.notifications.services.send_due_notifications",
        "schedule": 60,
    },
    "remove-stale-uploads": {
        "task": "portal.documents.tasks.remove_stale_uploads",
        "schedule": 3600,
    },
    "make-missing-questionnaire-pdfs": {
        "task": "portal.questionnaires.tasks.make_missing_pdfs",
        "schedule": 600,
    },
    # R-SIG-4: each reminder moment is sent once (the request keeps count), so hourly is safe.
    "send-approval-reminders": {
        "task": "portal.questionnaires.tasks.send_approval_reminders",
        "schedule": 3600,
    },
    "make-missing-signed-pdfs": {
        "task": "portal.questionnaires.tasks.make_missing_signed_pdfs",
        "schedule": 600,
    },
    "deliver-lost-webhooks": {
        "task": "portal.integrations.tasks.deliver_lost_webhooks",
        "schedule": 300,
    },
    "build-lost-exports": {
        "task": "portal.exports.tasks.build_lost_exports",
        "schedule": 300,
    },
    # Pruning: hourly, so a backlog larger than one run's cap is worked off within the day.
    "prune-idempotency-records": {
        "task": "portal.integrations.tasks.prune_idempotency_records",
        "schedule": 3600,
    },
    "prune-webhook-deliveries": {
        "task": "portal.integrations.tasks.prune_webhook_deliveries",
        "schedule": 3600,
    },
    "prune-changes": {
        "task": "portal.integrations.tasks.prune_changes",
        "schedule": 3600,
    },
    "prune-sent-email": {
        "task": "portal.notifications.tasks.prune_sent_email",
        "schedule": 3600,
    },
    "prune-account-links": {
        "task": "portal.accounts.tasks.prune_account_links",
        "schedule": 3600,
    },
    "prune-sessions": {
        "task": "portal.accounts.tasks.prune_sessions",
        "schedule": 3600,
    },
    "prune-login-logs": {
        "task": "portal.accounts.tasks.prune_login_logs",
        "schedule": 3600,
    },
    "prune-sms-codes-sent": {
        "task": "portal.twofactor.tasks.prune_sms_codes_sent",
        "schedule": 3600,
    },
    "prune-audit-entries": {
        "task": "portal.retention.tasks.prune_audit_entries",
        "schedule": 3600,
    },
    # R-RET-1: daily; a backlog larger than one run's cap is worked off on the following days.
    "apply-retention": {
        "task": "portal.retention.tasks.apply_retention",
        "schedule": 24 * 3600,
    },
    # R-RET-3: clients left without a dossier are warned, then erased.
    "remove-inactive-clients": {
        "task": "portal.retention.erasure.remove_inactive_clients",
        "schedule": 86400,
    },
    "prune-exports": {
        "task": "portal.exports.tasks.prune_exports",
        "schedule": 3600,
    },
}


def env_at_least(name: str, default: int, minimum: int = 1) -> int:
    value = env_int(name, default)
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


# Retention of rows that have served their purpose (`manage.py prune` runs the same tasks).
# Idempotency-Key: a repeat within this many days gets the first response (documented to API
# integrators); at least a day, so a retry after an outage overnight is still recognised.
PRUNE_IDEMPOTENCY_DAYS = env_at_least("PRUNE_IDEMPOTENCY_DAYS", 30)
# Delivered or given-up webhook deliveries; pending ones are never pruned.
PRUNE_WEBHOOK_DELIVERY_DAYS = env_at_least("PRUNE_WEBHOOK_DELIVERY_DAYS", 30)
# The API's changes feed: entries older than this are dropped, and a cursor from before then
# is answered 410 Gone (the integration loads everything again). At least a day.
CHANGES_RETENTION_DAYS = env_at_least("CHANGES_RETENTION_DAYS", 30)
# A change is listed in the feed once it is this many seconds old: a transaction that took an
# earlier sequence number has committed (or rolled back) by then. Longer than the longest
# write transaction (a request's; an upload's is the longest); 0 only in tests.
CHANGES_SETTLE_SECONDS = env_at_least("CHANGES_SETTLE_SECONDS", 30, minimum=0)
# Sent e-mails (the admin's log of what went to whom); pending and retrying ones are kept.
PRUNE_SENT_EMAIL_DAYS = env_at_least("PRUNE_SENT_EMAIL_DAYS", 90)
# Single-use links, counted from when they were used or expired.
PRUNE_ACCOUNT_LINK_DAYS = env_at_least("PRUNE_ACCOUNT_LINK_DAYS", 30)
# The login lockout's logs (address, browser, name typed) of logins and failed attempts.
PRUNE_LOGIN_LOG_DAYS = env_at_least("PRUNE_LOGIN_LOG_DAYS", 90)
# The audit trail (R-RET-4): entries older than this many years are deleted. At least a year;
# 7 by default, the term Dutch bookkeeping law keeps records (docs/retention.md).
AUDIT_RETENTION_YEARS = env_at_least("AUDIT_RETENTION_YEARS", 7)
# Bounded work per run and kind: batches of PRUNE_BATCH_SIZE rows, at most PRUNE_MAX_BATCHES.
PRUNE_BATCH_SIZE = env_at_least("PRUNE_BATCH_SIZE", 5000)
PRUNE_MAX_BATCHES = env_at_least("PRUNE_MAX_BATCHES", 100)
# R-RET-3: a client left without any dossier is erased this many months after it had its last
# one (or its accounts last logged in), after one warning e-mail this many days before.
CLIENT_INACTIVE_MONTHS = env_at_least("CLIENT_INACTIVE_MONTHS", 12)
CLIENT_INACTIVE_WARNING_DAYS = env_at_least("CLIENT_INACTIVE_WARNING_DAYS", 30)

# A client's data export ("Mijn gegevens downloaden", R-RET-2): downloadable this many hours,
# then removed by the prune task; at most this many requests per account in 24 hours.
EXPORT_VALID_HOURS = env_at_least("EXPORT_VALID_HOURS", 24)
EXPORT_REQUESTS_PER_DAY = env_at_least("EXPORT_REQUESTS_PER_DAY", 3)

CELERY_TASK_EAGER_PROPAGATES = False
# Workers log through LOGGING (JSON, redacted) instead of Celery's own root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Publishing a task happens in requests (after commit): a broker that is down or does not answer
# must fail the publish quickly, never hang the request. The work is a row in the database
# first (e-mail, notification, PDF), so the beat tasks above send it once the broker is back.
# A publish waits at most about 2 × CELERY_BROKER_TIMEOUT seconds (one retry, which also
# replaces a pooled connection that a broker restart left dead).
BROKER_TIMEOUT_SECONDS = env_int("CELERY_BROKER_TIMEOUT", 2)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT_SECONDS
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": BROKER_TIMEOUT_SECONDS,
    "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A cache that is down or hangs must not hold up a page: the rate limits let the
            # request through (RATELIMIT_FAIL_OPEN) after at most this long.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions (portal/sessions): read from the cache with the database behind when every app process
# shares the cache (Redis); with a per-process cache, from the database only (a logout in one
# process must end the session in all of them).
SESSION_ENGINE = "portal.sessions.cached_db" if REDIS_URL else "portal.sessions.db"

# --- Logging --------------------------------------------------------------------------------
# One JSON object a line (LOG_FORMAT=json, the default without DEBUG) or plain lines; secrets
# are redacted by a filter on the handler (portal/logs.py). LOG_LEVEL: the root level.
LOGGING = logging_config(os.environ.get("LOG_FORMAT") or ("plain" if DEBUG else "json"))

# The office of a host name (branding on every page) is cached this long (Office.for_host):
# the bound on how late a change reaches app processes that share no cache (no REDIS_URL).
OFFICE_CACHE_SECONDS = env_int("OFFICE_CACHE_SECONDS", 60)
# A request on a host name no office has: a plain 404, or (True, for development) the first
# office. Never True in production: a mistyped host would show an office's portal.
OFFICE_FALLBACK = env_bool("OFFICE_FALLBACK", False)
# The host names of the hosting administrators' site (/hosting/, across offices): on these
# nothing else is served, and /hosting/ is served on no other host.
HOSTING_HOSTS = [host.lower() for host in env_list("HOSTING_HOSTS")]

# Pages per list.
DOSSIERS_PER_PAGE = 25
DOCUMENTS_PER_PAGE = 50
MESSAGES_PER_PAGE = 25

# --- REST API and webhooks (R-OFF-6) ----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["portal.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Per API token, and per client address for calls without a valid token (guessing
    # tokens); a refused call gets 429 with Retry-After (portal.api.throttling).
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttling.TokenThrottle",
        "portal.api.throttling.AddressThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Every error as problem details (RFC 9457), in the caller's language (portal.api.problems).
    "EXCEPTION_HANDLER": "portal.api.problems.exception_handler",
    # Operation ids, tags and the error answers of every operation (portal.api.schema).
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.ApiSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Klantportaal API",
    "DESCRIPTION": "The office's case-management system's way in (R-OFF-6). "
    "Authenticate with `Authorization: Bearer <token>`. Calls are rate-limited per token "
    "(and per client address without a valid token): a refused call gets 429 with a "
    "`Retry-After` header (seconds). Every error is `application/problem+json` (RFC 9457, "
    "the `Problem` schema: `type`, `title`, `status`, `detail`; a 400 adds `errors` per "
    "field), in the language of `Accept-Language` (Dutch by default, or English).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # In English whatever the caller's language (portal.api.schema).
    "DEFAULT_GENERATOR_CLASS": "portal.api.schema.EnglishSchemaGenerator",
    # The schema and docs views (portal.api.docs) need a token or a staff session.
    "SERVE_AUTHENTICATION": [
        "portal.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "SERVE_PERMISSIONS": ["portal.api.permissions.StaffOrToken"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
    ],
    # Several models have a field "kind": one named enum each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ClientKindEnum": "portal.accounts.models.Client.Kind",
        "DocumentKindEnum": "portal.documents.models.Document.Kind",
        "PublishedKindEnum": "portal.api.serializers.PUBLISH_KINDS",
        "ActionKindEnum": "portal.questionnaires.models.Action.Kind",
        "LanguageEnum": "portal.accounts.models.User.Language",
        "ChangeActionEnum": "portal.integrations.models.ChangeAction",
        "ChangeResourceEnum": "portal.integrations.changes.RESOURCE_CHOICES",
        # The actions' status keeps its first name beside the signing requests' statuses.
        "StatusEnum": "portal.questionnaires.models.Action.Status",
        "SigningRequestStatusEnum": "portal.questionnaires.models.SigningRequest.Status",
        "SignerStatusEnum": "portal.questionnaires.models.Signer.Status",
        "SignatureMethodEnum": "portal.questionnaires.models.Signer.Method",
    },
}
# 1: the API's schema (/api/schema/) and docs page (/api/docs/) are open to anyone; by default
# they need an API token or a staff session that passed the second factor.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", False)
# API rates (DRF's format: "<requests>/<s|m|h|d>"): per token, and per address without one.
API_RATE_RE = r"^[1-9][0-9]*/(s|sec|m|min|h|hour|d|day)$"
API_RATE_PER_TOKEN = env_rate("API_RATE_PER_TOKEN", "300/m", API_RATE_RE)
API_RATE_PER_ADDRESS = env_rate("API_RATE_PER_ADDRESS", "30/m", API_RATE_RE)
# Webhook delivery: seconds to wait for the receiver, tries after the first, back-off base.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_MAX_RETRIES = env_int("WEBHOOK_MAX_RETRIES", 8)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30)
# A delivery without a single attempt this long after its event is queued again (beat task).
WEBHOOK_SWEEP_MINUTES = env_int("WEBHOOK_SWEEP_MINUTES", 5)
# After "rotate secret" the previous webhook secret keeps signing this long (0: not at all).
WEBHOOK_SECRET_ROTATION_HOURS = env_int("WEBHOOK_SECRET_ROTATION_HOURS", 24)


# The office's electronic seal (R-SIG-1, portal.documents.sealing): a PKCS#12 file and its
# passphrase for the installation, and per office (SEAL_PKCS12_PATH_<office id> with
# SEAL_PKCS12_PASSPHRASE_<office id>). Neither set: a self-signed test seal under VAR_DIR/seal.
SEAL_PKCS12_PATH = os.environ.get("SEAL_PKCS12_PATH", "")
SEAL_PKCS12_PASSPHRASE = os.environ.get("SEAL_PKCS12_PASSPHRASE", "")
SEAL_PKCS12_BY_OFFICE: dict[int, tuple[str, str]] = {
    int(match[1]): (value, os.environ.get(f"SEAL_PKCS12_PASSPHRASE_{match[1]}", ""))
    for name, value in os.environ.items()
    if (match := re.fullmatch(r"SEAL_PKCS12_PATH_([0-9]+)", name)) and value
}
# An RFC 3161 timestamp authority (e.g. https://freetsa.org/tsr): every seal is timestamped.
SEAL_TSA_URL = os.environ.get("SEAL_TSA_URL", "")
SEAL_TSA_TIMEOUT = env_int("SEAL_TSA_TIMEOUT", 10)
