"""Cell expressions that make every exported value text inside the database.

Exports stream from PostgreSQL's COPY, so the formula-injection rule of
`core.csv_safe.csv_cell` is applied in SQL by `CsvSafe`, built from the same
`FORMULA_PREFIXES`; a test checks that both give the same cell for hostile values.
"""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Func
from django.db.models.functions import Replace
from django.db.models.sql.compiler import SQLCompiler

from core.csv_safe import FORMULA_PREFIXES


class CsvSafe(Func):
    """Text that a spreadsheet cannot run as a formula; '' becomes NULL (an empty cell).

    Empty strings become NULL because COPY writes '' as `""` but NULL as nothing, and
    Python's csv module writes '' as nothing: both paths then give the same bytes.
    """

    output_field = CharField()
    arity = 1

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[str | int, ...]]:
        inner, params = compiler.compile(self.source_expressions[0])
        marks = ", ".join(["%s"] * len(FORMULA_PREFIXES))
        sql = (
            f"CASE WHEN SUBSTR({inner}, 1, 1) IN ({marks}) THEN %s || {inner} "
            f"ELSE NULLIF({inner}, '') END"
        )
        return sql, (*params, *FORMULA_PREFIXES, "'", *params, *params)


class UtcText(Func):
    """A timestamp as "YYYY-MM-DD HH:MM:SS UTC", the CSV's date format (csv_cell's too)."""

    output_field = CharField()
    arity = 1

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[str | int, ...]]:
        inner, params = compiler.compile(self.source_expressions[0])
        return f"TO_CHAR({inner} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"')", tuple(
            params
        )


def phone_digits(field: str) -> Replace:
    """E.164 without its "+": digits with country code, as the API shows numbers."""
    from django.db.models import F, Value

    return Replace(F(field), Value("+"), Value(""))
