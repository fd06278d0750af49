"""The one `<profile>` element every endpoint that returns profiles shares.

Element names, order and nesting follow seed 004's samples (List All Profiles, Profile
Summary, Profile OptOut, List Group Members). Building a page of profiles costs a fixed
number of queries whatever its size: the company's custom fields once, the page's
profiles, then one query each for their custom values and for each element another
app contributes (`profiles_with_details`). `<subscriptions>` and `<clicks>` are
campaigns' and links' data, layers above profiles: those apps register them
(profiles.extensions.xml_parts) and this module places them in the seed's order.

A page of 1,000 profiles is ~45,000 elements, so the Python side is kept lean: rows
are read as plain tuples (no model instances), timestamps come out of the database
already formatted, and each profile is written as XML text (`profile_xml`) with the
same bytes lxml would serialize. `profile_element` parses that text back into an
element for the endpoints that nest a profile inside other elements.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Expression, F, Func, Lookup, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from lxml.etree import _Element as Element
from lxml.etree import fromstring

from accounts.models import Company
from api.xml import LeafTags, clean_text, esc_attr, leaf_tags, leaves, tag_text
from profiles.models import CustomField, CustomFieldValue, Profile, ProfileStatus
from profiles.status import profile_last_change

from .extensions import XmlPart, merged, xml_parts

# The seed's samples call a profile without subscriptions "Profiles with no Subscriptions".
_STATUS_NAMES: dict[str, str] = {ProfileStatus.NONE: "Profiles with no Subscriptions"}


@dataclass(frozen=True)
class ProfileParts:
    """Which optional parts go into each `<profile>` (the include_* switches)."""

    custom_columns: bool = True
    subscriptions: bool = True
    clicks: bool = True
    members: bool = True  # integration records (CRM syncs)
    districts: bool = False

    @classmethod
    def for_company(cls, company: Company, **switches: bool) -> "ProfileParts":
        districts = bool(company.advocacy_enabled and settings.ADVOCACY_ENABLED)
        return cls(districts=districts, **switches)


class UtcText(Func):
    """A timestamp as UTC text, formatted by the database as `fmt_time`/`fmt_iso` do.

    Loading ~15,000 timestamps a page into aware datetimes and formatting them back
    cost a fifth of the page's Python time; the database formats them for free.
    """

    output_field = CharField()
    # PostgreSQL to_char formats of fmt_time and fmt_iso.
    ELEMENT = 'YYYY-MM-DD HH24:MI:SS "UTC"'
    ATTRIBUTE = 'YYYY-MM-DD"T"HH24:MI:SS"Z"'

    def __init__(self, column: str | Expression, style: str) -> None:
        super().__init__(F(column) if isinstance(column, str) else column)
        self.style = style

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[str | int, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql} AT TIME ZONE 'UTC', %s)", (*params, self.style)


class AnyOf(Lookup):
    """`column = ANY(%s)`: a page's ids as one array parameter.

    Django's `__in` prepares each of 1,000 ids one by one and sends 1,000 placeholders,
    a tenth of the page's Python time.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = [int(pk) for pk in self.rhs]
        return f"{lhs} = ANY(%s)", (*lhs_params, ids)


@dataclass(slots=True)
class ProfileRow:
    """What `profile_xml` reads of one profile; fields in `_ROW_COLUMNS` order."""

    id: int
    first_name: str
    last_name: str
    phone_number: str
    email: str
    status: str
    created_at: str | None  # already formatted by UtcText
    updated_at: str | None
    opted_out_at: str | None
    opted_out_source: str
    source_type: str
    source_name: str
    source_email: str | None  # None when no user added the profile
    street1: str
    street2: str
    city: str
    state: str
    postal_code: str
    country: str
    latitude: Any
    longitude: Any
    precision: str
    geocoded_city: str
    geocoded_state: str
    geocoded_postal_code: str
    geocoded_country: str
    congressional_district: str
    state_upper_district: str
    state_lower_district: str
    split_district: bool
    crm_sync_id: int | None
    crm_sync_name: str | None
    crm_synced_at: str | None
    custom_values: dict[int, str] = field(default_factory=dict)
    # Rows of the registered XML parts (profiles.extensions.xml_parts) by part key.
    extras: dict[str, list[tuple]] = field(default_factory=dict)

    @property
    def pk(self) -> int:
        return self.id


_ROW_TIMES = {
    "api_created_at": UtcText("created_at", UtcText.ELEMENT),
    "api_updated_at": UtcText(profile_last_change(), UtcText.ELEMENT),
    "api_opted_out_at": UtcText("standing__opted_out_at", UtcText.ELEMENT),
    "api_crm_synced_at": UtcText("crm_synced_at", UtcText.ATTRIBUTE),
}
_ROW_COLUMNS = (
    "id", "first_name", "last_name", "phone_number", "email", "standing__status",
    "api_created_at", "api_updated_at", "api_opted_out_at", "standing__opted_out_source",
    "source_type", "source_name", "source_user__email",
    "street1", "street2", "city", "state", "postal_code", "country",
    "latitude", "longitude", "precision", "geocoded_city", "geocoded_state",
    "geocoded_postal_code", "geocoded_country", "congressional_district",
    "state_upper_district", "state_lower_district", "split_district",
    "crm_sync_id", "crm_sync__name", "api_crm_synced_at",
)  # fmt: skip


def profiles_with_details(queryset: QuerySet[Profile], parts: ProfileParts) -> list[ProfileRow]:
    """The queryset's profiles, in its order, as rows `profile_xml` reads.

    A fixed number of queries whatever the count: the page's ids (for a sliced
    queryset), the profiles, then all their custom values and all the rows of each
    registered part (subscriptions, clicks), grouped here from flat tuples.
    """
    if queryset.query.is_sliced:
        # Page on the bare table first, then join and format only the page's rows: the
        # database would otherwise join and format every row the OFFSET skips (a page
        # deep into a million profiles), and a page's ids as one array always plan as
        # primary-key lookups.
        ids = list(queryset.values_list("pk", flat=True))
        if not ids:
            return []
        position = {pk: index for index, pk in enumerate(ids)}
        page: QuerySet[Profile] = Profile.objects.filter(AnyOf(F("id"), ids)).annotate(**_ROW_TIMES)
        rows = sorted(
            (ProfileRow(*values) for values in page.values_list(*_ROW_COLUMNS)),
            key=lambda row: position[row.id],
        )
    else:
        page = queryset.annotate(**_ROW_TIMES)
        rows = [ProfileRow(*values) for values in page.values_list(*_ROW_COLUMNS)]
    if not rows:
        return rows
    by_id = {row.id: row for row in rows}
    if parts.custom_columns:
        values = CustomFieldValue.objects.filter(AnyOf(F("profile_id"), list(by_id)))
        for profile_id, field_id, value in values.values_list("profile_id", "field_id", "value"):
            by_id[profile_id].custom_values[field_id] = value
    for part in xml_parts:
        if getattr(parts, part.switch):
            for part_row in part.load(list(by_id)):
                by_id[part_row[0]].extras.setdefault(part.key, []).append(part_row[1:])
    return rows


@dataclass(frozen=True)
class CustomColumns:
    """A company's custom fields in name order, with their `<custom_column>` tags."""

    ids: tuple[int, ...] = ()
    tags: LeafTags = ()
    all_empty: str = ""  # the columns of a profile without custom values


def company_custom_fields(company: Company, parts: ProfileParts) -> CustomColumns:
    if not parts.custom_columns:
        return CustomColumns()
    fields = CustomField.objects.for_company(company).order_by("name").values_list("id", "name")
    ids, tags = [], []
    for pk, name in fields:
        name_attr = f' name="{esc_attr(name)}"'
        ids.append(pk)
        tags.append(
            (f"<custom_column{name_attr}>", "</custom_column>", f"<custom_column{name_attr}/>")
        )
    return CustomColumns(tuple(ids), tuple(tags), "".join(empty for _, _, empty in tags))


def _custom_columns_xml(values: dict[int, str], columns: CustomColumns) -> str:
    if not values:
        inner = columns.all_empty
    else:
        inner = leaves(columns.tags, [values.get(pk) or "" for pk in columns.ids])
    return f"<custom_columns>{inner}</custom_columns>" if inner else "<custom_columns/>"


_HEAD = leaf_tags(
    "first_name", "last_name", "phone_number", "email", "status", "created_at",
    "updated_at", "opted_out_at", "opted_out_source",
)  # fmt: skip
_ADDRESS = leaf_tags("street1", "street2", "city", "state", "postal_code", "country")
_LOCATION = leaf_tags(
    "latitude", "longitude", "precision", "city", "state", "postal_code", "country"
)
_DISTRICTS = leaf_tags(
    "congressional_district", "state_upper_district", "state_lower_district", "split_district"
)


@dataclass(frozen=True)
class _OwnSection:
    """An element of `<profile>` that profiles writes itself, placed among the XmlParts."""

    key: str
    order: int
    switch: str


_CUSTOM_COLUMNS = _OwnSection("custom_columns", 100, "custom_columns")
_INTEGRATIONS = _OwnSection("integrations", 300, "members")


_SECTIONS: dict[tuple[ProfileParts, int], list[_OwnSection | XmlPart]] = {}


def _sections(parts: ProfileParts) -> list[_OwnSection | XmlPart]:
    """The switched-on optional elements after the location and districts, in seed order.

    Kept per switches (and registry version): merging and sorting them for each of a
    page's 1,000 profiles would cost more than writing their elements.
    """
    key = (parts, xml_parts.version)
    sections = _SECTIONS.get(key)
    if sections is None:
        own = (_CUSTOM_COLUMNS, _INTEGRATIONS)
        sections = [s for s in merged(own, xml_parts) if getattr(parts, s.switch)]
        _SECTIONS[key] = sections
    return sections


def _integrations_xml(row: ProfileRow) -> str:
    integration = ""
    if row.crm_sync_id is not None:
        integration = tag_text("integration", name=row.crm_sync_name, synced_at=row.crm_synced_at)
    return tag_text("integrations", integration)


def profile_xml(row: ProfileRow, *, custom_fields: CustomColumns, parts: ProfileParts) -> str:
    """One `<profile>` as XML text (the seed's element order)."""
    # who added it (API, upload, inbox)
    email = "" if row.source_email is None else f' email="{esc_attr(row.source_email)}"'
    out = [
        f'<profile id="{row.id}">',
        leaves(
            _HEAD,
            (
                row.first_name,
                row.last_name,
                row.phone_number.lstrip("+"),
                row.email,
                _STATUS_NAMES.get(row.status, row.status),
                row.created_at or "",
                row.updated_at or "",
                row.opted_out_at or "",
                row.opted_out_source,
            ),
        ),
        f'<source type="{esc_attr(row.source_type)}" name="{esc_attr(row.source_name)}"{email}/>',
        "<address>",
        leaves(
            _ADDRESS,
            (row.street1, row.street2, row.city, row.state, row.postal_code, row.country),
        ),
        "</address><last_saved_location>",
        leaves(
            _LOCATION,
            (
                clean_text(row.latitude),
                clean_text(row.longitude),
                row.precision,
                row.geocoded_city,
                row.geocoded_state,
                row.geocoded_postal_code,
                row.geocoded_country,
            ),
        ),
        "</last_saved_location>",
    ]
    if parts.districts:
        districts = (
            row.congressional_district,
            row.state_upper_district,
            row.state_lower_district,
            "Yes" if row.split_district else "No",
        )
        out += ["<last_saved_districts>", leaves(_DISTRICTS, districts), "</last_saved_districts>"]
    for section in _sections(parts):
        if isinstance(section, XmlPart):
            out.append(section.render(row.extras.get(section.key, [])))
        elif section is _CUSTOM_COLUMNS:
            out.append(_custom_columns_xml(row.custom_values, custom_fields))
        elif section is _INTEGRATIONS:
            out.append(_integrations_xml(row))
    out.append("</profile>")
    return "".join(out)


def profile_element(
    parent: Element, row: ProfileRow, *, custom_fields: CustomColumns, parts: ProfileParts
) -> Element:
    """`profile_xml` as an element appended to `parent` (for profiles nested in others)."""
    element = fromstring(profile_xml(row, custom_fields=custom_fields, parts=parts))
    parent.append(element)
    return element
