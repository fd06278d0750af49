"""Python's csv module writing an export's rows: the oracle COPY's output is checked
against (the same bytes, quoting and formula rule included)."""

import csv
import io
from collections.abc import Callable
from typing import BinaryIO

from django.db.models import QuerySet

from core.csv_safe import csv_row


def python_rows(
    rows: QuerySet, out: BinaryIO, on_progress: Callable[[int], None], every: int
) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    count = 0
    for row in rows.iterator(chunk_size=5000):
        writer.writerow(csv_row(row))
        count += 1
        if count % every == 0:
            text.flush()
            on_progress(count)
    text.flush()
    text.detach()
    return count
