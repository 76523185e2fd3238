"""Practice stays apart (issue 15 item 7): sandbox mode writes its own database in its own folder,
so a TEST key on the same machine finds two databases and a real invoice series untouched; a
database that holds practice where the real one belongs is set aside (never deleted), said, and
the real one starts clean."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from pos_app.app import build_services
from pos_app.config import Secrets, Settings, first_paint_settings, load_settings
from pos_app.domain.bill import BillStatus
from pos_app.domain.clock import SystemClock
from pos_app.domain.errors import ConfigError
from pos_app.domain.roles import Role
from pos_app.services.access import AccessService, prepare_demo_people
from pos_app.services.counter import CounterServices
from pos_app.storage import Database, open_database
from pos_app.storage import books as books_module
from pos_app.storage.books import Books, claim_books
from pos_app.storage.models import DatabaseFactRow, InvoiceRow, InvoiceSeriesRow
from tests.integration.postgres_cluster import PostgresCluster

TEST_KEY = Secrets(paymongo_secret_key="sk_test_" + secrets.token_hex(12))


def _settings(tmp_path: Path, **extra: str) -> Settings:
    return load_settings(
        {
            "POS_APP_DATA_DIR": str(tmp_path / "data"),
            "POS_APP_CONFIG_DIR": str(tmp_path / "cfg"),
            # the clinic's own page: no notice about PayMongo's (test_paymongo_page_notice)
            "POS_APP_PAYMENT_FINISHED_URL": "https://clinic.example/payment-finished",
            **{f"POS_APP_{name.upper()}": value for name, value in extra.items()},
        }
    )


def _practise_one_cash_payment(settings: Settings) -> str:
    """Sandbox mode as a new receptionist tries it: a bill from the clinic stand-in, paid cash."""
    services = build_services(settings, Secrets())
    try:
        backend = services.start_payment_backend()
        assert backend.clinic is not None
        backend.clinic.run()
        with services.database.unit_of_work(read_only=True) as uow:
            bill = next(b for b in uow.bills.list_queue(BillStatus.PENDING, 50) if b.balance)
        paid = backend.collect.pay_cash(bill.id, bill.balance, bill.balance)
        assert paid.settlement is not None
        return paid.settlement.invoice.number
    finally:
        services.shutdown()


def _invoices_and_series(database: Database) -> tuple[int, int]:
    with database.unit_of_work(read_only=True) as uow:
        invoices = uow.session.scalar(select(func.count()).select_from(InvoiceRow))
        series = uow.session.scalar(select(func.count()).select_from(InvoiceSeriesRow))
    return int(invoices or 0), int(series or 0)


def _books_fact(database: Database) -> str | None:
    with database.unit_of_work(read_only=True) as uow:
        row = uow.session.get(DatabaseFactRow, "books")
        return None if row is None else row.value


def _file(services: CounterServices) -> Path:
    path = services.database.sqlite_file
    assert path is not None
    return path


def test_sandbox_then_a_test_key_keeps_two_databases_and_the_real_series_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(tmp_path)
    practice_number = _practise_one_cash_payment(settings)
    assert first_paint_settings(settings).data_dir == settings.data_dir / "practice"

    real = build_services(settings, TEST_KEY)
    try:
        practice_file = settings.data_dir / "practice" / "kaha.sqlite3"
        assert _file(real) == settings.data_dir / "kaha.sqlite3"
        assert practice_file.exists()
        assert _file(real).exists()
        assert _invoices_and_series(real.database) == (0, 0)  # the real series starts at 1
        assert _books_fact(real.database) == "real"
        assert real.notice is None  # nothing was set aside: practice never wrote here
        assert real.receipts.receipts_folder == settings.data_dir / "receipts"
    finally:
        real.shutdown()
    assert first_paint_settings(settings) == settings
    practice = open_database(f"sqlite:///{practice_file}")
    try:
        assert _invoices_and_series(practice) == (1, 1)
        assert _books_fact(practice) == "practice"
        with practice.unit_of_work(read_only=True) as uow:
            assert uow.session.scalars(select(InvoiceRow.number)).all() == [practice_number]
    finally:
        practice.dispose()
    assert "practice" not in capsys.readouterr().err


def test_practice_found_where_the_real_books_belong_is_set_aside_said_and_real_starts_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(tmp_path)
    real_place = settings.data_dir / "kaha.sqlite3"
    # practice written where the real books belong (as before practice had its own folder)
    _practise_one_cash_payment(_settings(tmp_path, practice_database_url=f"sqlite:///{real_place}"))

    real = build_services(settings, TEST_KEY)
    try:
        assert _file(real) == real_place
        assert _invoices_and_series(real.database) == (0, 0)
        assert _books_fact(real.database) == "real"
        kept = settings.data_dir / "practice" / "kaha.sqlite3"
        assert real.notice is not None
        assert "practice (sandbox) payments" in real.notice
        assert "kept, not deleted" in real.notice
        assert str(kept) in real.notice
    finally:
        real.shutdown()
    assert real.notice in capsys.readouterr().err  # the console says it too
    moved = open_database(f"sqlite:///{kept}")
    try:
        assert _invoices_and_series(moved) == (1, 1)  # nothing of the practice was lost
        assert _books_fact(moved) == "practice"
    finally:
        moved.dispose()

    again = build_services(settings, TEST_KEY)  # said once: the real books are real now
    try:
        assert again.notice is None
    finally:
        again.shutdown()


def test_an_unmarked_older_database_with_the_demo_people_counts_as_practice(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    settings.data_dir.mkdir(parents=True)
    older = open_database(settings.database_url)
    prepare_demo_people(older, SystemClock(), sandbox=True)
    with older.unit_of_work() as uow:  # as a database from before the mark existed
        uow.session.query(DatabaseFactRow).delete()
        uow.commit()
    older.dispose()

    real = build_services(settings, TEST_KEY)
    try:
        assert real.notice is not None
        assert (settings.data_dir / "practice" / "kaha.sqlite3").exists()
        assert _books_fact(real.database) == "real"
    finally:
        real.shutdown()


def test_an_unmarked_database_is_judged_by_what_it_holds(tmp_path: Path) -> None:
    empty = open_database(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    used = open_database(f"sqlite:///{tmp_path / 'used.sqlite3'}")
    demo = open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    try:
        assert claim_books(empty, Books.PRACTICE, demo_names={"demo-owner"}) is Books.PRACTICE
        assert claim_books(empty, Books.REAL, demo_names={"demo-owner"}) is Books.PRACTICE
        AccessService(used, SystemClock()).add_person("Ana", Role.OWNER, "4821", by="test")
        assert claim_books(used, Books.REAL, demo_names={"demo-owner"}) is Books.REAL
        prepare_demo_people(demo, SystemClock(), sandbox=True)
        assert claim_books(demo, Books.REAL, demo_names={"demo-owner"}) is Books.PRACTICE
    finally:
        for database in (empty, used, demo):
            database.dispose()


def test_sandbox_mode_never_writes_in_a_database_that_holds_real_books(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    build_services(settings, TEST_KEY).shutdown()
    pointed = _settings(tmp_path, practice_database_url=settings.database_url)
    with pytest.raises(ConfigError) as refused:
        build_services(pointed, Secrets())
    assert "holds real payments" in refused.value.user_message


def test_two_counters_marking_one_shared_database_at_once_agree(
    postgres_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL only: on SQLite the look and the write are one BEGIN IMMEDIATE, nobody between
    database = open_database(postgres_cluster.new_database())
    judge = books_module._judge

    def another_counter_marks_it_first(*args: Any) -> Books:
        with database.unit_of_work() as uow:  # the other counter, between our look and write
            uow.session.add(DatabaseFactRow(name="books", value="real"))
            uow.commit()
        return judge(*args)

    monkeypatch.setattr(books_module, "_judge", another_counter_marks_it_first)
    try:
        assert claim_books(database, Books.REAL, demo_names=()) is Books.REAL
        assert _books_fact(database) == "real"
    finally:
        database.dispose()
