"""Stream an export's rows into a file without holding them in memory.

The rows come from `COPY (query) TO STDOUT WITH (FORMAT csv)` on a connection of
their own: the database does the CSV quoting, Python only appends each row with an
RFC 4180 line end and counts it, so a million rows cost little more than the COPY
itself, and the export's progress and heartbeat can be written on Django's connection
between rows.
"""

import csv
import io
from collections.abc import Callable
from typing import IO

from django.db import connections
from django.db.models import QuerySet

from core.csv_safe import csv_row

ProgressCallback = Callable[[int], None]
CHUNK_SIZE = 5000


def _write_header(out: IO[bytes], header: list[str]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    csv.writer(text, lineterminator="\r\n").writerow(csv_row(header))
    text.detach()


def _copy_rows(rows: QuerySet, out: IO[bytes], on_progress: ProgressCallback, every: int) -> int:
    connection = connections[rows.db]
    sql, params = rows.query.sql_with_params()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    # Inside a transaction (a caller's atomic block) the rows may not be committed yet,
    # so the COPY must share that connection; progress is then written at the end.
    own_connection = not connection.in_atomic_block
    if own_connection:
        raw = connection.get_new_connection(connection.get_connection_params())
        # The export's plan costs far above jit_above_cost (a subquery per custom
        # field and row), and compiling it took longer than running it: measured
        # 2.2 s of JIT for 0.8 s of work on 20,000 profiles.
        raw.execute("SET jit = off")
    else:
        connection.ensure_connection()
        raw = connection.connection
    count = 0
    next_report = every
    try:
        with raw.cursor() as cursor, cursor.copy(statement, params or None) as copy:
            for row in copy:
                # COPY sends one message per row, each ending in "\n"; RFC 4180 wants
                # CRLF between records (line breaks inside quoted cells are data).
                out.write(row[:-1])
                out.write(b"\r\n")
                count += 1
                if own_connection and count >= next_report:
                    on_progress(count)
                    next_report += every
    finally:
        if own_connection:
            raw.close()
    return count


def write_csv(
    *,
    header: list[str],
    rows: QuerySet,
    out: IO[bytes],
    on_progress: ProgressCallback,
    every: int = CHUNK_SIZE,
) -> int:
    """Write the header and every row of `rows` (a values_list of text cells); return rows."""
    _write_header(out, header)
    return _copy_rows(rows, out, on_progress, every)
