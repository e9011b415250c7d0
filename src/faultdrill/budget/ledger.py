"""The error-budget ledger: every spend of every SLO, in one SQLite file.

One connection per call, each write in its own ``BEGIN IMMEDIATE``
transaction, so several processes (a game day, a deployment gate, an
incident being closed) can share the file; SQLite serialises the writers
and a waiting writer retries for ``BUSY_TIMEOUT_S``. The file lives under
``FAULTDRILL_HOME`` unless ``FAULTDRILL_BUDGET_DB`` or a path says otherwise.

A path given explicitly is taken as the user typed it: its directory must
exist (a typo must not conjure up an empty ledger with the whole budget
left), and reading a ledger file that does not exist yet warns and creates
nothing. A row the ledger cannot make sense of is an error naming it: a
gate that skipped it would count less spend than there was.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from pydantic import ValidationError

from faultdrill.budget.spend import Spend, SpendKind
from faultdrill.errors import InvalidInput
from faultdrill.home import home

log = logging.getLogger(__name__)

DB_ENV = "FAULTDRILL_BUDGET_DB"
DB_FILE = "budget.sqlite"
# A writer waits this long for another to finish before giving up; a write
# takes milliseconds, so only a stuck process could make anyone wait this long.
BUSY_TIMEOUT_S = 30.0
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spend (
    id INTEGER PRIMARY KEY,
    slo TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    start REAL NOT NULL,
    "end" REAL NOT NULL,
    burn_rate REAL NOT NULL,
    bad_events INTEGER,
    total_events INTEGER,
    note TEXT NOT NULL DEFAULT '',
    UNIQUE (slo, kind, ref)
);
CREATE INDEX IF NOT EXISTS spend_by_slo_end ON spend (slo, "end");
"""
_COLUMNS = 'slo, kind, ref, start, "end", burn_rate, bad_events, total_events, note'


_FIELDS = tuple(name.strip().strip('"') for name in _COLUMNS.split(","))


class BudgetLedger:
    """Spends recorded per SLO; read back for any stretch of time.

    ``path`` is a file the user named (``--ledger``, ``FAULTDRILL_BUDGET_DB``)
    unless ``default`` is set: only the default one, under FAULTDRILL_HOME,
    is created without a word.
    """

    def __init__(self, path: Path, *, default: bool = False) -> None:
        self.path = path
        self.is_default = default
        self._warned_missing = False

    @classmethod
    def default(cls) -> BudgetLedger:
        """``$FAULTDRILL_BUDGET_DB`` if set, else ``home()/budget.sqlite``."""
        explicit = os.environ.get(DB_ENV)
        if explicit:
            return cls(Path(explicit))
        return cls(home() / DB_FILE, default=True)

    def record(self, spend: Spend) -> None:
        """Add a spend, or replace the one with the same SLO, kind and ref.

        Replacing keeps recording idempotent: an incident updated twice or
        an experiment's cost written again is counted once.
        """
        values = (
            spend.slo,
            spend.kind.value,
            spend.ref,
            spend.start,
            spend.end,
            spend.burn_rate,
            spend.bad_events,
            spend.total_events,
            spend.note,
        )
        with self._transaction() as db:
            db.execute(
                f"INSERT OR REPLACE INTO spend ({_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
        log.debug("budget ledger: %s spent by %s %s", spend.slo, spend.kind, spend.ref)

    def spends(
        self, slo: str, since: float | None = None, until: float | None = None
    ) -> list[Spend]:
        """Spends of ``slo`` that overlap ``[since, until]``, oldest first."""
        if self._missing():
            return []
        query = f"SELECT id, {_COLUMNS} FROM spend WHERE slo = ?"
        params: list[object] = [slo]
        if since is not None:
            query += ' AND "end" >= ?'
            params.append(since)
        if until is not None:
            query += " AND start <= ?"
            params.append(until)
        with self._connection() as db:
            rows = db.execute(query + " ORDER BY start, id", params).fetchall()
        return [_spend(self.path, row) for row in rows]

    def by_ref(self, kind: SpendKind, ref: str) -> list[Spend]:
        """Every spend one run or incident recorded, across SLOs."""
        if self._missing():
            return []
        with self._connection() as db:
            rows = db.execute(
                f"SELECT id, {_COLUMNS} FROM spend WHERE kind = ? AND ref = ? "
                "ORDER BY slo",
                (kind.value, ref),
            ).fetchall()
        return [_spend(self.path, row) for row in rows]

    def _missing(self) -> bool:
        """True, with one warning, when a named ledger does not exist yet."""
        if self.is_default:
            return False
        self.check_directory()
        if self.path.exists():
            return False
        if not self._warned_missing:
            self._warned_missing = True
            log.warning(
                "budget ledger %s does not exist yet: no spend is recorded in it; "
                "check --ledger or %s if you expected one",
                self.path,
                DB_ENV,
            )
        return True

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        self.check_directory()
        try:
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None
            )
        except (OSError, sqlite3.Error) as exc:
            raise _unusable(self.path, exc) from exc
        with closing(connection) as db:
            try:
                _prepare(db, self.path)
                yield db
            except sqlite3.DatabaseError as exc:
                raise _unusable(self.path, exc) from exc

    def check_directory(self) -> None:
        """Create the default ledger's directory; a named one's must exist."""
        directory = self.path.parent
        if directory.is_dir():
            return
        if self.is_default:
            directory.mkdir(parents=True, exist_ok=True)
            return
        raise InvalidInput.single(
            str(self.path),
            "",
            f"its directory {directory} does not exist; check the path given "
            f"with --ledger or {DB_ENV}, or create the directory first",
        )


def _prepare(db: sqlite3.Connection, path: Path) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise InvalidInput.single(
            str(path),
            "",
            f"budget ledger schema {version} is newer than this faultdrill "
            f"understands ({SCHEMA_VERSION}); upgrade faultdrill",
        )
    # Two processes may both find an empty file; every statement of the
    # schema is idempotent, so whichever runs second changes nothing.
    db.executescript(
        f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
    )


def _spend(path: Path, row: tuple[object, ...]) -> Spend:
    row_id, values = row[0], row[1:]
    try:
        return Spend.model_validate(dict(zip(_FIELDS, values, strict=True)))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
        raise InvalidInput.single(
            str(path),
            f"spend row id={row_id}",
            f"{problems}; correct or delete the row (sqlite3 {path} "
            f"'DELETE FROM spend WHERE id = {row_id}')",
        ) from None


def _unusable(path: Path, exc: Exception) -> InvalidInput:
    return InvalidInput.single(
        str(path),
        "",
        f"the budget ledger cannot be used ({exc}); point {DB_ENV} or "
        "--ledger at a writable SQLite file",
    )
