"""Django settings, all read from the environment (docs/settings.md lists every variable).

The embedded default is SQLite in WAL mode under ``BANSHI_DATA_DIR``; production points
``DATABASE_URL`` at PostgreSQL. Only the environment differs between the two.
"""

from __future__ import annotations

import os
from pathlib import Path

from banshi.env import data_dir, env_bool, env_int, env_list, parse_database_url, sqlite_database

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or "banshi-insecure-development-key-change-me"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Demo mode lists the demo accounts on the login page; never enable it in production.
BANSHI_DEMO = env_bool("BANSHI_DEMO", False)
# Public base URL, used in QR codes and links in documents.
BANSHI_PUBLIC_URL = os.environ.get("BANSHI_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# How applicants reach the service centre, printed on notices (the item's own contact wins).
BANSHI_CONTACT = os.environ.get("BANSHI_CONTACT", "政务服务便民热线 12345")
# Region label printed on guides and documents.
BANSHI_REGION_NAME = os.environ.get("BANSHI_REGION_NAME", "郑州航空港经济综合实验区")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "banshi.core",
    "banshi.workdays",
    "banshi.catalog",
    "banshi.people",
    "banshi.files",
    "banshi.cases",
    "banshi.documents",
    "banshi.policies",
    "banshi.audit",
    "banshi.datashare",
    "banshi.licences",
    "banshi.credit",
    "banshi.notify",
    "banshi.api",
    "banshi.webhooks",
    "banshi.appeals",
    "banshi.ratings",
    "banshi.portal",
    "banshi.workbench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "banshi.urls"
WSGI_APPLICATION = "banshi.wsgi.application"
ASGI_APPLICATION = "banshi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "banshi.core.context_processors.platform",
            ],
        },
    }
]

_database_url = os.environ.get("DATABASE_URL", "").strip()
DATABASES = {
    "default": parse_database_url(_database_url)
    if _database_url
    else sqlite_database(DATA_DIR / "banshi.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "banshi.people.auth.CharacterClassesValidator",
        "OPTIONS": {"min_classes": env_int("BANSHI_PASSWORD_MIN_CLASSES", 3)},
    },
]

# Login (banshi.people): local accounts behind the lockout guard, plus single sign-on through an
# OpenID Connect provider (the province's 统一身份认证) when BANSHI_OIDC_ISSUER is set.
BANSHI_OIDC_BACKEND = os.environ.get("BANSHI_OIDC_BACKEND") or "banshi.people.oidc.OIDCBackend"
AUTHENTICATION_BACKENDS = [
    "banshi.people.auth.LockoutBackend",  # first: refuses locked usernames before any password check
    "django.contrib.auth.backends.ModelBackend",
    BANSHI_OIDC_BACKEND,  # inert unless BANSHI_OIDC_ISSUER is set
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = os.environ.get("BANSHI_LOGIN_REDIRECT_URL") or "/"  # applicants
BANSHI_STAFF_LOGIN_REDIRECT_URL = os.environ.get("BANSHI_STAFF_LOGIN_REDIRECT_URL") or "/workbench/"
LOGOUT_REDIRECT_URL = "/"
BANSHI_LOGIN_MAX_FAILURES = env_int("BANSHI_LOGIN_MAX_FAILURES", 5)
BANSHI_LOGIN_WINDOW_MINUTES = env_int("BANSHI_LOGIN_WINDOW_MINUTES", 15)
BANSHI_LOGIN_LOCK_MINUTES = env_int("BANSHI_LOGIN_LOCK_MINUTES", 15)
BANSHI_OIDC_ISSUER = os.environ.get("BANSHI_OIDC_ISSUER", "").strip().rstrip("/")
BANSHI_OIDC_CLIENT_ID = os.environ.get("BANSHI_OIDC_CLIENT_ID", "")
BANSHI_OIDC_CLIENT_SECRET = os.environ.get("BANSHI_OIDC_CLIENT_SECRET", "")
BANSHI_OIDC_SCOPES = os.environ.get("BANSHI_OIDC_SCOPES") or "openid profile"
BANSHI_OIDC_ID_NUMBER_CLAIM = os.environ.get("BANSHI_OIDC_ID_NUMBER_CLAIM") or "id_number"
BANSHI_OIDC_NAME_CLAIM = os.environ.get("BANSHI_OIDC_NAME_CLAIM") or "name"
BANSHI_OIDC_PHONE_CLAIM = os.environ.get("BANSHI_OIDC_PHONE_CLAIM", "phone_number")
BANSHI_OIDC_AUTHORIZATION_ENDPOINT = os.environ.get("BANSHI_OIDC_AUTHORIZATION_ENDPOINT", "")
BANSHI_OIDC_TOKEN_ENDPOINT = os.environ.get("BANSHI_OIDC_TOKEN_ENDPOINT", "")
BANSHI_OIDC_USERINFO_ENDPOINT = os.environ.get("BANSHI_OIDC_USERINFO_ENDPOINT", "")
BANSHI_OIDC_TOKEN_AUTH_METHOD = (
    os.environ.get("BANSHI_OIDC_TOKEN_AUTH_METHOD") or "client_secret_basic"
)
BANSHI_OIDC_CA_BUNDLE = os.environ.get("BANSHI_OIDC_CA_BUNDLE", "")
BANSHI_OIDC_REDIRECT_URI = os.environ.get("BANSHI_OIDC_REDIRECT_URI", "")
BANSHI_OIDC_TIMEOUT = env_int("BANSHI_OIDC_TIMEOUT", 10)
BANSHI_OIDC_LABEL = os.environ.get("BANSHI_OIDC_LABEL") or "统一身份认证登录"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("BANSHI_STATIC_ROOT") or DATA_DIR / "static")
MEDIA_ROOT = Path(os.environ.get("BANSHI_MEDIA_ROOT") or DATA_DIR / "media")
MEDIA_URL = "/media/"
# Uploaded materials (banshi.files): largest file accepted, and the kinds read from the content.
BANSHI_UPLOAD_MAX_MB = env_int("BANSHI_UPLOAD_MAX_MB", 20)
BANSHI_UPLOAD_TYPES = env_list("BANSHI_UPLOAD_TYPES", ["pdf", "png", "jpeg", "ofd"])

SESSION_COOKIE_AGE = env_int("BANSHI_SESSION_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("BANSHI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Background work: empty means in-process (embedded default); redis:// or amqp:// in production.
BROKER_URL = os.environ.get("BROKER_URL", "")

# Working-day calendar: how long a process keeps its calendar before re-reading admin-entered years.
BANSHI_CALENDAR_CACHE_SECONDS = env_int("BANSHI_CALENDAR_CACHE_SECONDS", 60)

# Catalogue snapshot (事项目录): how often a process reads the catalogue revision (目录版本号) to
# see whether another process changed the catalogue, and the age at which it rebuilds regardless
# (a raw SQL edit moves no revision).
BANSHI_CATALOGUE_CHECK_SECONDS = env_int("BANSHI_CATALOGUE_CHECK_SECONDS", 5)
BANSHI_CATALOGUE_MAX_AGE_SECONDS = env_int("BANSHI_CATALOGUE_MAX_AGE_SECONDS", 600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BANSHI_LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}

# Hashed, compressed static names need ``banshi collectstatic`` first: production turns them on with
# BANSHI_STATIC_MANIFEST=true; the embedded default serves the files as they are (WhiteNoise finders).
BANSHI_STATIC_MANIFEST = env_bool("BANSHI_STATIC_MANIFEST", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if BANSHI_STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve static files from the app folders too when collectstatic has not run (embedded default).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# ---------------------------------------------------------------- 审计日志 (banshi.audit)
# Entries older than this are removed by `banshi audit purge` (a checkpoint keeps the chain
# verifiable). 网络安全法 第二十一条: network logs are kept at least six months; less is refused.
BANSHI_AUDIT_RETENTION_DAYS = env_int("BANSHI_AUDIT_RETENTION_DAYS", 180)
# `banshi audit anchor` signs the chain head with this key (a fingerprint of a key file in
# BANSHI_LICENCE_KEY_DIR); empty = a key generated on the first anchor, then reused.
BANSHI_AUDIT_ANCHOR_KEY = os.environ.get("BANSHI_AUDIT_ANCHOR_KEY", "")
# Hours between two anchors made by the background job (daily by default).
BANSHI_AUDIT_ANCHOR_HOURS = env_int("BANSHI_AUDIT_ANCHOR_HOURS", 24)
# Remembers the request's user for the audit of permission changes made through signals.
MIDDLEWARE += ["banshi.audit.context.CurrentUserMiddleware"]

# ---------------------------------------------------------------- 数据共享 (banshi.datashare)
# Tokens of the exchanges, by the name a DataShareSource's "credentials reference" gives, as JSON:
# BANSHI_DATASHARE_CREDENTIALS='{"rk": "token…"}' (kept out of the database).
BANSHI_DATASHARE_CREDENTIALS = __import__("json").loads(
    os.environ.get("BANSHI_DATASHARE_CREDENTIALS") or "{}"
)
# Who answers a source the catalogue names but nobody configured: "local" (the platform's own
# profiles) or "none" (unavailable: the applicant uploads the material).
BANSHI_DATASHARE_UNCONFIGURED = os.environ.get("BANSHI_DATASHARE_UNCONFIGURED", "local")
# How long a verification answer is reused (seconds) before the source is asked again.
BANSHI_DATASHARE_CACHE_SECONDS = env_int("BANSHI_DATASHARE_CACHE_SECONDS", 300)

# ---------------------------------------------------------------- 电子证照 (banshi.licences)
# Private signing keys live in files here (mode 0600), never in the database.
BANSHI_LICENCE_KEY_DIR = Path(os.environ.get("BANSHI_LICENCE_KEY_DIR") or DATA_DIR / "keys")
# sm2 (SM2 with SM3, default) or ed25519: the algorithm of keys made without --algorithm.
BANSHI_LICENCE_ALGORITHM = os.environ.get("BANSHI_LICENCE_ALGORITHM", "sm2")
# A grant in a department without a key makes one (embedded default); production sets false and
# runs `banshi licences keygen` (a grant then fails with a clear error instead).
BANSHI_LICENCE_AUTO_KEYGEN = env_bool("BANSHI_LICENCE_AUTO_KEYGEN", True)
# Department USCCs (颁发机构代码): "SCJG=11110000000000001X,XF=..."; a department not listed gets a
# placeholder code derived from its code and BANSHI_LICENCE_REGION_CODE (flagged in the admin).
BANSHI_LICENCE_ISSUER_CODES = os.environ.get("BANSHI_LICENCE_ISSUER_CODES", "")
BANSHI_LICENCE_REGION_CODE = os.environ.get("BANSHI_LICENCE_REGION_CODE", "110105")
# Renewal reminders go out this many days before a licence expires.
BANSHI_LICENCE_REMIND_DAYS = env_int("BANSHI_LICENCE_REMIND_DAYS", 30)

# ---------------------------------------------------------------- 信用 (banshi.credit)
# (settings of credit, commitments and 容缺 go here)
# 告知承诺核查期限 (working days after acceptance) when the item sets none [LOCAL, standards §2.8].
BANSHI_COMMITMENT_VERIFY_DAYS = env_int("BANSHI_COMMITMENT_VERIFY_DAYS", 20)
# 容缺 supplement period (working days after acceptance), capped at the case's decision_due.
BANSHI_DEFICIENCY_SUPPLEMENT_DAYS = env_int("BANSHI_DEFICIENCY_SUPPLEMENT_DAYS", 10)
# Reminders go out this many working days before a verification or supplement is due.
BANSHI_COMMITMENT_REMIND_DAYS = env_int("BANSHI_COMMITMENT_REMIND_DAYS", 3)
# Severity of the credit record a broken commitment or missed supplement writes.
BANSHI_CREDIT_BREACH_SEVERITY = os.environ.get("BANSHI_CREDIT_BREACH_SEVERITY", "serious")
# Largest credit import file, in rows.
BANSHI_CREDIT_IMPORT_MAX_ROWS = env_int("BANSHI_CREDIT_IMPORT_MAX_ROWS", 50000)

# ---------------------------------------------------------------- 消息通知 (banshi.notify)
# Channels besides the in-platform message for people without a preference; delivery retries.
BANSHI_NOTIFY_DEFAULT_CHANNELS = os.environ.get("BANSHI_NOTIFY_DEFAULT_CHANNELS", "email,sms")
BANSHI_NOTIFY_MAX_ATTEMPTS = env_int("BANSHI_NOTIFY_MAX_ATTEMPTS", 8)
BANSHI_NOTIFY_BACKOFF_SECONDS = env_int("BANSHI_NOTIFY_BACKOFF_SECONDS", 60)
BANSHI_NOTIFY_MAX_BACKOFF_SECONDS = env_int("BANSHI_NOTIFY_MAX_BACKOFF_SECONDS", 6 * 3600)
BANSHI_NOTIFY_BATCH = env_int("BANSHI_NOTIFY_BATCH", 100)
BANSHI_NOTIFY_INTERVAL_SECONDS = env_int("BANSHI_NOTIFY_INTERVAL_SECONDS", 10)
# E-mail over SMTP (Django's SMTP backend); an empty host turns e-mail off.
BANSHI_SMTP_HOST = os.environ.get("BANSHI_SMTP_HOST", "")
BANSHI_SMTP_PORT = env_int("BANSHI_SMTP_PORT", 25)
BANSHI_SMTP_STARTTLS = env_bool("BANSHI_SMTP_STARTTLS", False)
BANSHI_SMTP_SSL = env_bool("BANSHI_SMTP_SSL", False)
BANSHI_SMTP_USER = os.environ.get("BANSHI_SMTP_USER", "")
BANSHI_SMTP_PASSWORD = os.environ.get("BANSHI_SMTP_PASSWORD", "")
BANSHI_SMTP_TIMEOUT = env_int("BANSHI_SMTP_TIMEOUT", 10)
BANSHI_EMAIL_FROM = os.environ.get("BANSHI_EMAIL_FROM") or "办事平台 <noreply@localhost>"
# SMS: a gateway class, or an HTTP gateway (URL + JSON body template), else the logging gateway.
BANSHI_SMS_GATEWAY = os.environ.get("BANSHI_SMS_GATEWAY", "")
BANSHI_SMS_URL = os.environ.get("BANSHI_SMS_URL", "")
BANSHI_SMS_BODY = os.environ.get("BANSHI_SMS_BODY") or '{"phone": "$phone", "text": "$text"}'
BANSHI_SMS_TOKEN = os.environ.get("BANSHI_SMS_TOKEN", "")
BANSHI_SMS_TIMEOUT = env_int("BANSHI_SMS_TIMEOUT", 10)

# ---------------------------------------------------------------- 后台任务 (task queue)
# (settings of the task queue and its broker go here)

# ---------------------------------------------------------------- 12345 诉求 (banshi.appeals)
# Rate limit of the public progress look-up by ticket number + phone (banshi/appeals/throttle.py).
BANSHI_APPEAL_TRACK_MAX_FAILURES = env_int("BANSHI_APPEAL_TRACK_MAX_FAILURES", 10)
BANSHI_APPEAL_TRACK_WINDOW_MINUTES = env_int("BANSHI_APPEAL_TRACK_WINDOW_MINUTES", 15)
# Proxies whose X-Forwarded-For names the client (the per-address part of that limit).
BANSHI_TRUSTED_PROXIES = env_list("BANSHI_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
# BROKER_URL (above) empty = jobs run in-process; else Celery on Redis/RabbitMQ (banshi.celery).
BANSHI_TASK_QUEUE = os.environ.get("BANSHI_TASK_QUEUE") or "banshi"
BANSHI_BROKER_VISIBILITY_TIMEOUT = env_int("BANSHI_BROKER_VISIBILITY_TIMEOUT", 3600)
BANSHI_BROKER_TIMEOUT = env_int("BANSHI_BROKER_TIMEOUT", 5)
BANSHI_BEAT_SCHEDULE_FILE = os.environ.get("BANSHI_BEAT_SCHEDULE_FILE") or str(
    DATA_DIR / "celerybeat-schedule"
)
