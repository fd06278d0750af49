"""The ExportType registry (one subclass per Export.Kind)."""

from django.db.models import QuerySet

from ..models import Export

_REGISTRY: dict[str, "ExportType"] = {}


class ExportType:
    """How one kind of export reads its rows. Subclasses set `kind` and implement both.

    `rows` returns a `values_list` queryset whose every cell is text (or NULL), so
    PostgreSQL can stream it with COPY; `header` returns the column names in order.
    """

    kind: str = ""

    def header(self, export: Export) -> list[str]:
        raise NotImplementedError

    def rows(self, export: Export) -> QuerySet:
        raise NotImplementedError

    def count(self, export: Export) -> int:
        """Rows the export will write (its progress bar's 100%)."""
        return self.rows(export).order_by().count()

    def filename(self, export: Export) -> str:
        return f"{self.kind}-{export.pk}.csv"


def register_export_type(cls: type[ExportType]) -> type[ExportType]:
    if not cls.kind:
        raise ValueError(f"{cls.__name__} needs a kind")
    _REGISTRY[cls.kind] = cls()
    return cls


def export_type_for(kind: str) -> ExportType:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise LookupError(f"No export type is registered for {kind!r} exports.") from None
