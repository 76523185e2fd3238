"""PINs are kept only as scrypt hashes with a salt per person, compared in constant time."""

from __future__ import annotations

import hmac
from pathlib import Path

import pytest
from sqlalchemy import text

from pos_app.domain.clock import FakeClock
from pos_app.domain.errors import SignInRefused, UserFacingError
from pos_app.domain.roles import Role
from pos_app.services.access import AccessService
from pos_app.services.access.pins import DEFAULT_KDF, ScryptParameters, hash_pin, pin_matches
from pos_app.storage import Database

from .conftest import FAST_KDF


def test_the_database_file_never_holds_the_pin(
    database: Database, clock: FakeClock, db_file: Path
) -> None:
    access = AccessService(database, clock)  # the real parameters
    access.add_person("Olivia", Role.OWNER, "73915", by="test")
    access.add_person("Joy", Role.STAFF, "73915", by="test")  # same PIN, different salt
    database.dispose()
    raw = b"".join(path.read_bytes() for path in db_file.parent.glob("kaha.db*"))
    assert b"73915" not in raw
    with database.unit_of_work(read_only=True) as uow:
        rows = uow.session.execute(
            text("SELECT pin_hash, pin_salt, pin_kdf FROM people ORDER BY id")
        ).all()
    (olivia_hash, olivia_salt, kdf), (joy_hash, joy_salt, _) = rows
    assert kdf == "scrypt:n=16384,r=8,p=1" == DEFAULT_KDF.text
    assert olivia_salt != joy_salt
    assert olivia_hash != joy_hash


def test_a_wrong_pin_is_refused_and_the_right_one_accepted(access: AccessService) -> None:
    access.add_person("Olivia", Role.OWNER, "4321", by="test")
    with pytest.raises(SignInRefused) as caught:
        access.sign_in("Olivia", "4322")
    assert caught.value.user_message == "That name and PIN don't match. Please try again."
    assert access.actor is None
    assert access.sign_in("olivia", "4321").name == "Olivia"  # names ignore case
    assert access.actor is not None


def test_the_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    stored = hash_pin("2468", FAST_KDF)
    assert pin_matches("2468", stored)
    assert not pin_matches("2469", stored)
    assert len(calls) == 2


def test_the_stored_parameters_are_the_ones_used_to_check() -> None:
    stronger = ScryptParameters(n=2**5, r=8, p=1)
    stored = hash_pin("2468", stronger)
    assert stored.kdf == "scrypt:n=32,r=8,p=1"
    assert pin_matches("2468", stored)


@pytest.mark.parametrize("pin", ["", "123", "12a4", "1234567890123", " 1234"])
def test_a_pin_is_four_to_twelve_digits(access: AccessService, pin: str) -> None:
    with pytest.raises(UserFacingError, match="4 to 12 digits"):
        access.add_person("Olivia", Role.OWNER, pin, by="test")
