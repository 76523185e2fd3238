"""Settings of the example site (also the test and type-check settings).

The database is SQLite at $KAHA_CLINIC_DB (`python -m kaha_clinic.demo` points that at a fresh
temporary folder unless given `--db`), or PostgreSQL at $KAHA_CLINIC_DATABASE_URL. On SQLite,
writers are serialised with IMMEDIATE transactions, which is what makes "two PATCHes with one
Idempotency-Key apply once" hold there (PostgreSQL gets the same from `select_for_update`).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TMP = Path(tempfile.gettempdir())

# A fresh key per process unless given: the demo keeps no sessions worth keeping.
SECRET_KEY = os.environ.get("KAHA_CLINIC_SECRET_KEY") or secrets.token_urlsafe(50)
DEBUG = os.environ.get("KAHA_CLINIC_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "kaha_clinic",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kaha_clinic.demo.urls"

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
            ],
        },
    },
]


def _postgres(url: str) -> dict[str, Any]:
    """Django's DATABASES entry for "postgresql://user:password@host:port/name?host=/socket/dir"."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise ImproperlyConfigured(f"KAHA_CLINIC_DATABASE_URL must be postgresql://...: {url!r}")
    query = parse_qs(parts.query)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": query.get("host", [parts.hostname or ""])[0],
        "PORT": str(parts.port or query.get("port", [""])[0]),
    }


_SQLITE = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("KAHA_CLINIC_DB") or str(_TMP / "kaha-clinic-demo.sqlite3"),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        # A file, not memory: the contract tests serve it from other threads. One per process,
        # since several test runs may share a machine.
        "TEST": {"NAME": str(_TMP / f"kaha-clinic-test-{os.getpid()}.sqlite3")},
    }
}
# PostgreSQL when told (`--database-url`): bill rows are locked with SELECT ... FOR UPDATE.
_URL = os.environ.get("KAHA_CLINIC_DATABASE_URL")
DATABASES = {"default": _postgres(_URL)} if _URL else _SQLITE

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "Asia/Manila"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}
