"""Writing generated demo rows: COPY on PostgreSQL, batched INSERTs elsewhere.

At a million profiles (about twelve million rows with their history) the load is
dominated by index maintenance and foreign-key checks, not by the rows themselves.
So for large loads on PostgreSQL the loader saves the definitions of the tables'
secondary indexes, unique constraints and foreign keys, drops them, streams the rows
with COPY, and recreates them at the end: a sorted index build is several times
faster than a million single inserts, and re-adding a foreign key checks every row
with one join instead of one lookup per row. It all happens in the caller's
transaction, so a failed load leaves the tables and their indexes as they were.
"""

import queue
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Max

from .columns import NULL, table_plan
from .rows import TABLES

Log = Callable[[str], None]


def _from_text(value: str, boolean: bool) -> object:
    if value == NULL:
        return None
    return value == "t" if boolean else value


class Loader:
    """Writes chunks of rows for the tables in demo.rows.TABLES."""

    def __init__(self, *, rebuild_indexes: bool, log: Log, copy: bool = True) -> None:
        self.copy = copy
        self.rebuild_indexes = rebuild_indexes
        self.log = log
        self.saved: list[tuple[str, str, str]] = []  # (kind, table, definition)
        self.counts = dict.fromkeys(TABLES, 0)
        self.statements: dict[str, tuple[str, str, int, tuple[bool, ...]]] = {}
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        # Checked against the models before anything is written (demo.columns): a
        # column the generator does not fill stops the seed here, by name.
        for name, (model, written) in TABLES.items():
            plan = table_plan(model, written, now)
            quoted = ", ".join(connection.ops.quote_name(c) for c in plan.columns)
            if self.copy:
                sql = f"COPY {plan.table} ({quoted}) FROM STDIN"
            else:
                marks = ", ".join(["%s"] * len(plan.columns))
                sql = f"INSERT INTO {plan.table} ({quoted}) VALUES ({marks})"  # noqa: S608 (model tables)
            # Appended to every line: the defaults of the columns the generator leaves out.
            self.statements[name] = (sql, plan.suffix, len(written), plan.booleans)
        self.queue: queue.Queue | None = None
        self.writer: threading.Thread | None = None
        self.error: BaseException | None = None

    @property
    def tables(self) -> list[str]:
        return [model._meta.db_table for model, _ in TABLES.values()]

    def first_ids(self) -> dict[str, int]:
        """Ids are given by the generator, so rows can refer to each other before loading."""
        return {
            name: (model._default_manager.aggregate(top=Max("id"))["top"] or 0) + 1
            for name, (model, _) in TABLES.items()
            if model._meta.pk.name == "id"  # a profile's state row takes the profile's id
        }

    # --- indexes and constraints ------------------------------------------------------

    def prepare(self, *, freeze: bool = False) -> None:
        if freeze and self.copy:
            for name, (sql, suffix, width, booleans) in self.statements.items():
                self.statements[name] = (f"{sql} WITH (FREEZE)", suffix, width, booleans)
        with connection.cursor() as cursor:
            # Session settings for this transaction only: bigger sort memory for
            # the index builds, and no wait for the WAL flush at commit.
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
        if self.rebuild_indexes:
            self._drop_indexes()
        if self.copy:
            self._start_writer()

    def _check_pending(self, cursor) -> None:
        # Foreign keys are DEFERRABLE INITIALLY DEFERRED: rows written earlier in this
        # transaction (the campaigns, say) hold pending checks, and PostgreSQL refuses
        # to alter a table with pending checks. Run them now, then defer again.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def _drop_indexes(self) -> None:
        with connection.cursor() as cursor:
            self._check_pending(cursor)
            cursor.execute(
                """
                SELECT con.contype, rel.relname, con.conname, pg_get_constraintdef(con.oid)
                FROM pg_constraint con
                JOIN pg_class rel ON rel.oid = con.conrelid
                JOIN pg_namespace ns ON ns.oid = rel.relnamespace
                WHERE rel.relname = ANY(%s) AND ns.nspname = current_schema()
                  AND con.contype IN ('f', 'u')
                ORDER BY con.contype, rel.relname, con.conname
                """,
                [self.tables],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                """
                SELECT i.tablename, i.indexname, i.indexdef
                FROM pg_indexes i
                WHERE i.tablename = ANY(%s) AND i.schemaname = current_schema()
                  AND NOT EXISTS (
                      SELECT 1 FROM pg_constraint con WHERE con.conname = i.indexname
                  )
                ORDER BY i.tablename, i.indexname
                """,
                [self.tables],
            )
            indexes = cursor.fetchall()
            quote = connection.ops.quote_name
            # Foreign keys first ('f' sorts before 'u'), then unique constraints, then indexes.
            for kind, table, name, definition in constraints:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                self.saved.append(
                    (
                        kind,
                        table,
                        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}",
                    )
                )
            for table, name, definition in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
                self.saved.append(("i", table, definition))
        self.log(f"dropped {len(self.saved)} indexes and constraints for the load")

    def _restore_indexes(self) -> None:
        order = {"i": 0, "u": 1, "f": 2}
        took = []
        with connection.cursor() as cursor:
            self._check_pending(cursor)
            for _, _, statement in sorted(self.saved, key=lambda s: order[s[0]]):
                started = time.perf_counter()
                cursor.execute(statement)
                took.append((time.perf_counter() - started, statement))
        self.log(
            f"rebuilt {len(self.saved)} indexes and constraints in {sum(t for t, _ in took):.0f} s"
        )
        for seconds, statement in sorted(took, reverse=True)[:8]:
            self.log(f"  {seconds:5.1f} s  {statement[:110]}")
        self.saved = []

    # --- rows -------------------------------------------------------------------------

    def _start_writer(self) -> None:
        # COPY runs on a second thread: while PostgreSQL parses and stores one chunk,
        # Python generates the next (the socket writes release the GIL).
        raw = connection.connection
        chunks: queue.Queue = queue.Queue(maxsize=2)
        self.queue = chunks

        def run() -> None:
            with raw.cursor() as cursor:
                while (item := chunks.get()) is not None:
                    try:
                        if self.error is None:
                            self._copy(cursor, *item)
                    except BaseException as error:  # re-raised on the main thread
                        self.error = error
                    finally:
                        chunks.task_done()

        self.writer = threading.Thread(target=run, name="demo-copy", daemon=True)
        self.writer.start()

    def _copy(self, cursor, name: str, text: str) -> None:
        with cursor.copy(self.statements[name][0]) as copy:
            copy.write(text)

    def write(self, tables: dict[str, tuple[int, str]]) -> None:
        """Write one chunk: per table, (row count, COPY text lines)."""
        for name, (count, text) in tables.items():
            sql, suffix, width, booleans = self.statements[name]
            # The whole chunk, not just its first line: no generated value holds a tab
            # or a newline (demo.rows), so two counts at C speed check the rows' widths.
            if text.count("\n") != count or text.count("\t") != count * (width - 1):
                first = text[: text.index("\n")]
                raise ValueError(
                    f"{name} rows must have {width} values each (the first has "
                    f"{first.count(chr(9)) + 1}): the generator and demo.rows disagree"
                )
            self.counts[name] += count
            if suffix:
                text = text.replace("\n", suffix + "\n")
            if self.queue is not None:
                if self.error is not None:
                    raise self.error
                self.queue.put((name, text))
                continue
            rows: list[list[Any]] = []
            for line in text.split("\n")[:-1]:
                values = line.split("\t")
                if len(values) != len(booleans):
                    raise ValueError(f"{name} row has {len(values)} values: {line!r}")
                rows.append([_from_text(v, b) for v, b in zip(values, booleans, strict=True)])
            with connection.cursor() as cursor:
                for start in range(0, len(rows), 2000):
                    cursor.executemany(sql, rows[start : start + 2000])

    def drain(self) -> None:
        """Wait until every chunk handed over so far is written.

        The next catalog's first ids are read from the tables (first_ids): read while
        the writer thread still holds chunks, they would repeat ids it is about to write.
        """
        if self.queue is not None:
            self.queue.join()
            if self.error is not None:
                raise self.error

    def finish(self) -> None:
        if self.queue is not None:
            self.queue.put(None)
            assert self.writer is not None  # started with the queue
            self.writer.join()
            self.queue = None
            if self.error is not None:
                raise self.error
        if self.saved:
            self._restore_indexes()
        with connection.cursor() as cursor:
            for model, _ in TABLES.values():
                if model._meta.pk.name != "id":
                    continue
                table = model._meta.db_table
                top = f"SELECT max(id) FROM {table}"  # noqa: S608 (a model's table)
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST(({top}), 1))",
                    [table],
                )

    def analyze(self) -> None:
        """Fresh statistics for the planner (run after commit: VACUUM cannot be in one)."""
        # Inside a transaction (a caller's, or a test's) only ANALYZE is allowed.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(f"{command} {table}")
