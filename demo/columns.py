"""The columns of each generated table, checked against the model's metadata.

The generator (demo.people, demo.history) writes a row as one f-string whose values
follow the table's column list in demo.rows. That order stays written out: it is the
f-string's own, and taking it from `Model._meta` instead would let a reordered field
declaration swap two values without a word. Everything else comes from `_meta`, and is
checked here before the first row is loaded:

- every listed column is a concrete column of the model, and is listed once;
- every column the generator leaves out is filled the way `Model.objects.create()` fills
  it: with the field's `default` (now, for auto_now fields), with its `db_default` (the
  column is then left out of the COPY and the database fills it), or with NULL.

A column none of these fills (NOT NULL, with no default and no db_default), or a unique
column that would get one default for every row, stops the seed with a message naming
it, before anything is written. So a field added to a model is either filled like any
new row's, or the generator has to write it: it cannot drift silently.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import BooleanField, Field, Model

NULL = "\\N"  # COPY's text format for NULL


class ColumnDrift(Exception):
    """A generated table's columns no longer fit its model."""


@dataclass(frozen=True)
class TablePlan:
    """How one model's rows are loaded: the generator's columns, then the defaulted ones."""

    table: str
    written: tuple[str, ...]  # in the order of the generator's values
    defaulted: tuple[str, ...]  # appended to every line, with `suffix`
    suffix: str  # "\t<default>" for each defaulted column
    booleans: tuple[bool, ...]  # per column of `columns`, for the INSERT path

    @property
    def columns(self) -> tuple[str, ...]:
        return self.written + self.defaulted


def _fills_itself(field: Field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def column_problems(model: type[Model], written: Sequence[str]) -> list[str]:
    """What stops `written` (the generator's columns) from loading `model`'s table."""
    name = model.__name__
    fields = {str(f.column): f for f in model._meta.concrete_fields}
    problems = [f"{name} has no column {c!r}" for c in written if c not in fields]
    problems += [
        f"{name}.{c} is written twice" for c in dict.fromkeys(written) if written.count(c) > 1
    ]
    for column, field in fields.items():
        if column in written or field.has_db_default() or _fills_itself(field):
            continue
        if field.has_default():
            if field.unique:
                problems.append(
                    f"{name}.{column} is unique: one default for every row cannot fill it"
                )
        elif not field.null:
            problems.append(
                f"{name}.{column} is NOT NULL without a default: the demo generator must "
                "write it (demo.rows, demo.people, demo.history)"
            )
    return problems


def _default_text(field: Field, now: str) -> str:
    """A field's default as COPY text (a callable default is called once for all rows)."""
    if _fills_itself(field):
        return now
    value = field.get_default() if field.has_default() else None
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def table_plan(model: type[Model], written: Sequence[str], now: str) -> TablePlan:
    """The load plan of `model`'s table, or ColumnDrift naming every column that does not fit.

    `now` is the COPY text of the load's moment, for auto_now columns.
    """
    problems = column_problems(model, written)
    if problems:
        raise ColumnDrift("; ".join(problems))
    fields = {str(f.column): f for f in model._meta.concrete_fields}
    defaulted = [
        f
        for column, f in fields.items()
        if column not in written
        # Left out of the COPY: the database fills a db_default, unless Django would
        # send a Python default of its own (as create() does).
        and not (f.has_db_default() and not f.has_default() and not _fills_itself(f))
    ]
    columns = [*written, *(str(f.column) for f in defaulted)]
    return TablePlan(
        table=model._meta.db_table,
        written=tuple(written),
        defaulted=tuple(str(f.column) for f in defaulted),
        suffix="".join("\t" + _default_text(f, now) for f in defaulted),
        booleans=tuple(isinstance(fields[c], BooleanField) for c in columns),
    )
