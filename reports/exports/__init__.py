"""One export mechanism for every kind of CSV the product writes.

An `Export` row says what to write (`kind` and a `config` JSON); an `ExportType`
registered for that kind turns it into a header and an ordered queryset of cells
that are already text, and `reports.exports.writer` streams that queryset into the
file. Adding a kind means registering one `ExportType`, nothing else.
"""

from .base import ExportType, export_type_for, register_export_type

__all__ = ["ExportType", "export_type_for", "register_export_type"]
