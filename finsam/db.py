"""Database access: engines, migrations and the unit of work every use case runs in."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, func, insert, inspect, make_url, select, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.exc import DBAPIError, PendingRollbackError, SQLAlchemyError

import finsam.audit  # noqa: F401  (registers the audit listener)
import finsam.guard  # noqa: F401  (registers the bounds check before every flush)
from finsam.errors import DatabaseUnavailable
from finsam.files import check_database_file
from finsam.audit import Kontext
from finsam.domain.model import Base

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
WRITE_OPTION = "finsam_write"


def normalise_url(url: str) -> str:
    # Plain postgresql:// URLs get the psycopg 3 driver we install, not psycopg2.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the writer
    # In WAL mode NORMAL cannot corrupt the database; a power cut may lose the last commits, which the
    # outbox tolerates (a message marked sent just before may go again, with the same Message-ID).
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 8 MiB of pages per connection: the daily scan of 10,000 insatser reads its few MB of index and rows
    # from here or the OS cache; more only grew with every message written (64 MiB cost ~55 MB at 4,000).
    cursor.execute("PRAGMA cache_size=-8192")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A unit of work takes the write lock up front (BEGIN IMMEDIATE), so two runs at once queue
    # behind each other instead of failing with "database is locked" when both try to write.
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _private_sqlite_file(url: str) -> None:
    """Create a new SQLite database file readable by its owner only (it holds personal data);
    SQLite gives its -wal and -shm files the same permissions."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    check_database_file(path)  # never a database through a link, or in a file with other names
    if not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))


@lru_cache(maxsize=16)
def get_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        try:
            _private_sqlite_file(url)
        except FileExistsError:  # another process created it at the same moment
            pass
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def unit_of_work(url: str, kontext: Kontext, *, dry_run: bool = False) -> Iterator[Session]:
    """One use case, one transaction: committed whole on success, rolled back whole on any error.

    With `dry_run` everything runs and is checked, then rolled back.
    """
    with session_factory(url)() as session:
        session.info["kontext"] = kontext
        session.connection(execution_options={WRITE_OPTION: True})
        try:
            yield session
            if dry_run:
                session.rollback()
            else:
                session.commit()
        except BaseException as e:
            try:
                session.rollback()
            except SQLAlchemyError:  # the connection is gone: the server has rolled the transaction back itself
                pass
            if connection_lost(e):
                raise DatabaseUnavailable(LOST) from e
            raise


LOST = ("förbindelsen med databasen bröts; inget av det som pågick sparades (allt eller inget). "
        "Kör igen när databasen svarar; finsam kopplar upp sig på nytt")


def connection_lost(error: BaseException) -> bool:
    """Whether `error` means the database connection was lost (the server restarted, the network dropped, the
    backend was terminated), or a session is left unusable by such a loss earlier in the same unit of work."""
    if isinstance(error, PendingRollbackError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    cause = error.__cause__ or error.__context__
    return cause is not None and cause is not error and isinstance(cause, (DBAPIError, PendingRollbackError)) \
        and connection_lost(cause)


@contextmanager
def read_only(url: str) -> Iterator[Session]:
    """A session for reading; closed (and anything it changed discarded) at the end."""
    with session_factory(url)() as session:
        yield session


def insert_rows(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Many new rows at once, in the session's transaction, past the unit of work: bounds-checked and
    audited as a flush of the same objects would be (finsam.guard, finsam.audit). Columns left out take
    their default; a table with an `id` gets new ones, in the order of `rows`. Returns the rows as written.
    Meant for imports: the session does not know the new rows as objects."""
    table = model.__table__
    mapper = inspect(model)
    defaults = {
        mapper.get_property_by_column(c).key: c.default.arg if c.default is not None and c.default.is_scalar else None
        for c in table.columns
    }
    written = [{**defaults, **row} for row in rows]
    for row in written:
        finsam.guard.check_values(mapper, row)
    if not written:
        return written
    connection = session.connection()
    if "id" in table.c and all(row["id"] is None for row in written):
        # Ids taken up front, so the rows go in one executemany: RETURNING ids in the order of the rows
        # would cost SQLite one statement per row.
        for row, new_id in zip(written, _new_ids(connection, table, len(written)), strict=True):
            row["id"] = new_id
    connection.execute(insert(table), written)
    finsam.audit.record_inserted(session, model, written)
    return written


def _new_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """`count` ids no other row has or will get: from the column's sequence on PostgreSQL; on SQLite those after
    the largest, safe as the transaction holds the write lock (BEGIN IMMEDIATE, see unit_of_work), and a
    collision would be refused by the primary key, never written."""
    if connection.dialect.name == "postgresql":
        return list(connection.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
            {"table": table.name, "count": count},
        ))
    last = connection.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    return list(range(last + 1, last + 1 + count))


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # only to migrate: every other command starts without alembic

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = normalise_url(url)
    return config


def upgrade(url: str, revision: str = "head") -> None:
    if normalise_url(url).startswith("sqlite"):
        try:
            _private_sqlite_file(normalise_url(url))
        except FileExistsError:
            pass
    from alembic import command

    command.upgrade(alembic_config(url), revision)
