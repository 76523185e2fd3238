"""Secrets into the operating system's keyring, or a plain refusal saying how to get one.

A machine with no desktop session (a bare Linux box, a service account) has no keyring backend:
``keyring`` then falls back to a backend that fails on every call, and the ``keyrings.alt``
package would offer one that writes keys to a plain-text file. Kaha takes neither: it refuses
to store the key and says, in one sentence, how to fix it. Secrets can still come from the
environment (CI), as config.load_secrets reads them.
"""

from __future__ import annotations

import logging
from typing import Final

from pos_app.domain.errors import ConfigError

__all__ = ["KeyringUnavailable", "keyring_problem", "read_secret", "write_secret"]

log = logging.getLogger(__name__)

NO_KEYRING_FIX: Final = (
    "This computer has no keyring Kaha can keep keys in, so nothing was stored: sign in to a "
    "desktop session with a keyring (GNOME Keyring, KWallet, or the Windows or macOS one) and "
    "try again, or give the key as an environment variable such as PAYMONGO_SECRET_KEY."
)


class KeyringUnavailable(ConfigError):
    """No usable keyring: the key was not stored anywhere."""

    default_message = NO_KEYRING_FIX


def _backend() -> object:
    import keyring

    return keyring.get_keyring()


def keyring_problem() -> str | None:
    """Why secrets cannot be stored on this machine (one sentence), or None when they can."""
    try:
        backend = _backend()
    except Exception:  # keyring itself could not load a backend
        log.warning("no keyring backend could be loaded", exc_info=True)
        return NO_KEYRING_FIX
    if not _usable(backend):
        return NO_KEYRING_FIX
    return None


def _usable(backend: object) -> bool:
    from keyring.backends import fail, null

    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return False
    # keyrings.alt's file backends keep keys readable on disk: never for a counter
    return "plaintext" not in type(backend).__name__.lower()


def write_secret(service: str, name: str, value: str) -> None:
    """Store ``value``; ``KeyringUnavailable`` (nothing stored) without a usable keyring."""
    import keyring
    import keyring.errors

    problem = keyring_problem()
    if problem is not None:
        raise KeyringUnavailable(problem, detail=f"keyring backend {type(_safe_backend())}")
    try:
        keyring.set_password(service, name, value)
    except keyring.errors.KeyringError as exc:  # locked, refused, or gone since the check
        raise KeyringUnavailable(detail=f"set_password failed: {type(exc).__name__}") from exc


def read_secret(service: str, name: str) -> str | None:
    """The stored value, or None when unset or when there is no usable keyring."""
    try:
        import keyring

        value = keyring.get_password(service, name)
    except Exception:  # no backend on this machine: secrets must come from the environment
        log.debug("no keyring available for %s", name)
        return None
    return value if isinstance(value, str) and value else None


def _safe_backend() -> object:
    try:
        return _backend()
    except Exception:
        return None
