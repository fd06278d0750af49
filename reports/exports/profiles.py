"""The profiles CSV (seed 001 "Exporting profile records"): what the table shows.

Columns, in order: the seed's thirty, then `Cleaned?` for campaign, broadcast and
opt-in path exports, then one column per custom field of the company, by name.
"""

from typing import Any

from django.db.models import Case, F, OuterRef, QuerySet, Subquery, Value, When
from django.http import QueryDict

from profiles.models import CustomField, CustomFieldValue
from profiles.selectors import ProfileScope, profile_list

from ..models import Export
from .base import ExportType, register_export_type
from .sql import CsvSafe, UtcText, phone_digits

# (header, how the cell is computed). Every cell comes out of SQL as text.
COLUMNS: list[tuple[str, Any]] = [
    ("id", F("id")),
    ("phone_number", phone_digits("phone_number")),
    ("email", CsvSafe(F("email"))),
    ("first_name", CsvSafe(F("first_name"))),
    ("last_name", CsvSafe(F("last_name"))),
    ("status", CsvSafe(F("standing__status"))),
    ("description", CsvSafe(F("standing__status_description"))),
    ("street1", CsvSafe(F("street1"))),
    ("street2", CsvSafe(F("street2"))),
    ("city", CsvSafe(F("city"))),
    ("state", CsvSafe(F("state"))),
    ("postal_code", CsvSafe(F("postal_code"))),
    ("country", CsvSafe(F("country"))),
    ("congressional_district", CsvSafe(F("congressional_district"))),
    ("state_upper_district", CsvSafe(F("state_upper_district"))),
    ("state_lower_district", CsvSafe(F("state_lower_district"))),
    (
        "split_district",
        Case(When(split_district=True, then=Value("Yes")), default=Value("No")),
    ),
    ("latitude", F("latitude")),
    ("longitude", F("longitude")),
    ("precision", CsvSafe(F("precision"))),
    ("geocoded_city", CsvSafe(F("geocoded_city"))),
    ("geocoded_state", CsvSafe(F("geocoded_state"))),
    ("geocoded_postal_code", CsvSafe(F("geocoded_postal_code"))),
    ("geocoded_country", CsvSafe(F("geocoded_country"))),
    ("carrier_name", CsvSafe(F("carrier_name"))),
    ("created_at", UtcText(F("created_at"))),
    ("source_type", CsvSafe(F("source_type"))),
    ("source_name", CsvSafe(F("source_name"))),
    ("opted_out_at", UtcText(F("standing__opted_out_at"))),
    ("opted_out_source", CsvSafe(F("standing__opted_out_source"))),
]
HEADERS: list[str] = [header for header, _ in COLUMNS]
CLEANED_HEADER = "Cleaned?"


def profiles_export_config(*, query: str, scope: ProfileScope | None) -> dict[str, Any]:
    """The Export.config that reproduces the table's rows: its query string and scope."""
    return {"query": query, "scope": scope.as_config() if scope else None}


@register_export_type
class ProfilesExport(ExportType):
    kind = Export.Kind.PROFILES

    def _scope(self, export: Export) -> ProfileScope | None:
        scope = export.config.get("scope")
        if not scope:
            return None
        return ProfileScope.load(company=export.company, kind=scope["kind"], object_id=scope["id"])

    def _profiles(self, export: Export) -> QuerySet:
        params = QueryDict(export.config.get("query", ""))
        return profile_list(company=export.company, params=params, scope=self._scope(export))

    def _custom_fields(self, export: Export) -> list[CustomField]:
        return list(CustomField.objects.for_company(export.company).order_by("name", "id"))

    def header(self, export: Export) -> list[str]:
        header = list(HEADERS)
        if export.config.get("scope"):
            header.append(CLEANED_HEADER)
        return header + [field.name for field in self._custom_fields(export)]

    def count(self, export: Export) -> int:
        return self._profiles(export).order_by().count()

    def rows(self, export: Export) -> QuerySet:
        cells: dict[str, Any] = {f"cell_{i}": expr for i, (_, expr) in enumerate(COLUMNS)}
        if export.config.get("scope"):
            cells["cell_cleaned"] = Case(
                When(cleaned_at__isnull=False, then=Value("Yes")), default=Value("No")
            )
        for field in self._custom_fields(export):
            # One indexed lookup per profile and field (unique on profile, field); the
            # formula rule is applied inside the subquery so it runs once per value.
            cells[f"cell_field_{field.pk}"] = Subquery(
                CustomFieldValue.objects.filter(profile_id=OuterRef("pk"), field_id=field.pk)
                .annotate(safe=CsvSafe(F("value")))
                .values("safe")[:1]
            )
        return self._profiles(export).annotate(**cells).values_list(*cells)

    def filename(self, export: Export) -> str:
        stamp = export.created_at.strftime("%Y%m%d-%H%M%S")
        return f"profiles-{stamp}-{export.pk}.csv"


def profiles_export_name(*, company: Any, query: str, scope: ProfileScope | None) -> str:
    """A name that says which rows the file holds, as the Exports table lists it."""
    from profiles.selectors import profile_filter

    params = QueryDict(query)
    parts = ["Profiles"]
    if scope is not None:
        parts.append(f"{scope.kind.replace('_', '-').capitalize()}: {scope.name}")
    if params.get("q", "").strip():
        parts.append(f"search “{params['q'].strip()}”")
    parts.extend(profile_filter(company=company, params=params, scope=scope).applied())
    return " · ".join(parts)
