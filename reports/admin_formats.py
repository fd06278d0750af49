"""The file formats the Django admin exports in, with the product's formula rule.

`IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT` is django-import-export's switch for escaping
formulas, but its own escaping only drops one leading "=": "==HYPERLINK(…)" still comes
out a formula, and so do "+…", "-…" and "@…". These formats keep the switch and apply
`core.csv_safe`'s rule instead, like every other export of the product.
"""

from import_export.formats import base_formats

from core.csv_safe import text_cell_safe


class _FormulaSafe:
    def _escape_formulae(self, dataset) -> None:
        for _ in range(dataset.height):
            row = dataset.lpop()
            dataset.append([text_cell_safe(cell) for cell in row])


class CSV(_FormulaSafe, base_formats.CSV):
    pass


class TSV(_FormulaSafe, base_formats.TSV):
    pass


class XLSX(_FormulaSafe, base_formats.XLSX):
    pass


EXPORT_FORMATS = [fmt for fmt in (CSV, XLSX, TSV) if fmt.is_available()]
