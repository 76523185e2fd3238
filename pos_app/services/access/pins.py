"""PINs hashed with scrypt (memory-hard, in the standard library), each with its own salt.

The parameters (n=2**14, r=8, p=1: 16 MiB and some tens of milliseconds per try) are written
beside each hash, so a later release can raise them and old PINs still verify. Comparison is
constant-time (``hmac.compare_digest``). A 4-digit PIN has only 10,000 values, so the hash alone
does not make a stolen database safe; the lockout makes guessing at the counter slow, and the
hash keeps PINs out of backups, logs and anyone's sight.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from typing import Final

from pos_app.domain.errors import UserFacingError
from pos_app.domain.people import StoredPin

__all__ = ["DEFAULT_KDF", "ScryptParameters", "check_pin_format", "hash_pin", "pin_matches"]

_SALT_BYTES: Final = 16
_KEY_BYTES: Final = 32
_PIN_FORMAT: Final = re.compile(r"[0-9]{4,12}")
_KDF_TEXT: Final = re.compile(r"scrypt:n=(\d+),r=(\d+),p=(\d+)")


@dataclass(frozen=True, slots=True)
class ScryptParameters:
    n: int = 2**14  # CPU/memory cost; memory is 128 * n * r bytes (16 MiB here)
    r: int = 8
    p: int = 1

    @property
    def text(self) -> str:
        return f"scrypt:n={self.n},r={self.r},p={self.p}"

    @classmethod
    def parse(cls, text: str) -> ScryptParameters:
        match = _KDF_TEXT.fullmatch(text)
        if match is None:
            raise ValueError(f"unknown PIN hash kind {text!r}")
        n, r, p = (int(group) for group in match.groups())
        return cls(n=n, r=r, p=p)


DEFAULT_KDF: Final = ScryptParameters()


def check_pin_format(pin: str) -> None:
    """Refuse a PIN that is not 4 to 12 digits, in words for the person choosing it."""
    if not _PIN_FORMAT.fullmatch(pin):
        raise UserFacingError("A PIN is 4 to 12 digits (numbers only). Please choose another.")


def hash_pin(pin: str, kdf: ScryptParameters = DEFAULT_KDF, salt: bytes | None = None) -> StoredPin:
    """A new hash of ``pin`` with a fresh random salt (or ``salt``, for tests)."""
    salt = os.urandom(_SALT_BYTES) if salt is None else salt
    return StoredPin(hash_hex=_derive(pin, salt, kdf).hex(), salt_hex=salt.hex(), kdf=kdf.text)


def pin_matches(pin: str, stored: StoredPin) -> bool:
    """Whether ``pin`` is the one ``stored`` was made from; constant-time in the comparison."""
    kdf = ScryptParameters.parse(stored.kdf)
    derived = _derive(pin, bytes.fromhex(stored.salt_hex), kdf)
    return hmac.compare_digest(derived, bytes.fromhex(stored.hash_hex))


def _derive(pin: str, salt: bytes, kdf: ScryptParameters) -> bytes:
    return hashlib.scrypt(
        pin.encode("utf-8"),
        salt=salt,
        n=kdf.n,
        r=kdf.r,
        p=kdf.p,
        maxmem=256 * kdf.n * kdf.r,
        dklen=_KEY_BYTES,
    )
