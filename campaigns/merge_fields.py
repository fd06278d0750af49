"""Merge fields: `{{first_name}}`, `{{city}}`, `{{Favorite animal|a pet}}` in a body.

One parser (`template_compile`) turns a body into parts (literal text, fields, tracked
links); the same parts render in Python for one message (`template_render`) and as one
SQL expression for a set of profiles (`template_sql`), so a broadcast chunk renders its
thousands of bodies inside its INSERT … SELECT, with no Python loop per recipient.
A test keeps both renderings equal for the same profiles.

Rules:
* A field is a profile column of `PROFILE_FIELDS` (case-insensitive) or a company's
  custom field by name (exact, else case-insensitive). Anything else is refused when
  the body is saved (`MergeFieldError` names it), never at send time.
* `{{name|fallback}}` uses the fallback when the value is empty or missing; without
  one an empty value renders as nothing.
* Text that merely looks like braces (`{{`, `{x}`) stays literal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import CharField, Expression, F, Func, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from accounts.models import Company
from core.errors import ServiceError
from links.tokens import Link, url_spans
from profiles.models import CustomField, CustomFieldValue, Profile

# Profile columns a body may name, in the order the composer lists them.
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
    "congressional_district",
    "state_upper_district",
    "state_lower_district",
)

# The longest value a field is likely to hold (about the 99th percentile of real
# contact data): the composer counts segments with these, since the real values of a
# million recipients are not at hand while typing. Custom fields use CUSTOM_LIKELY.
LIKELY_LENGTH = {
    "first_name": 12,
    "last_name": 15,
    "email": 30,
    "street1": 30,
    "street2": 10,
    "city": 18,
    "state": 14,
    "postal_code": 10,
    "country": 2,
    "congressional_district": 5,
    "state_upper_district": 5,
    "state_lower_district": 5,
}
CUSTOM_LIKELY = 20

_FIELD = re.compile(r"\{\{\s*([^{}|\s][^{}|]*?)\s*(?:\|([^{}]*))?\}\}")


class MergeFieldError(ServiceError, ValueError):
    """A body naming a field the company does not have. str() names the field."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"Unknown merge field {{{{{name}}}}}: use a profile field "
            f"({', '.join(PROFILE_FIELDS[:3])}, an address or district field) or one of "
            "the company's custom fields."
        )
        self.name = name


@dataclass(frozen=True)
class Field:
    name: str  # the profile column, or the custom field's name
    fallback: str
    custom_field_id: int | None = None

    @property
    def likely_length(self) -> int:
        value = CUSTOM_LIKELY if self.custom_field_id else LIKELY_LENGTH.get(self.name, 20)
        return max(value, len(self.fallback))


Part = str | Field | Link


@dataclass(frozen=True)
class MergeTemplate:
    parts: tuple[Part, ...]
    fields: tuple[Field, ...] = field(default=())

    @property
    def is_plain(self) -> bool:
        """Every recipient gets the same text (no field, no tracked link)."""
        return all(isinstance(part, str) for part in self.parts)

    @property
    def links(self) -> tuple[Link, ...]:
        return tuple(part for part in self.parts if isinstance(part, Link))


def _custom_fields(company: Company) -> tuple[dict[str, int], dict[str, list[tuple[str, int]]]]:
    rows = CustomField.objects.for_company(company).values_list("name", "pk")
    exact = {name: pk for name, pk in rows}
    folded: dict[str, list[tuple[str, int]]] = {}
    for name, pk in exact.items():
        folded.setdefault(name.casefold(), []).append((name, pk))
    return exact, folded


def _resolve(name: str, fallback: str, company: Company | None, cache: dict) -> Field | None:
    lowered = name.lower()
    if lowered in PROFILE_FIELDS:
        return Field(name=lowered, fallback=fallback)
    if company is None:
        return None
    if "custom" not in cache:
        cache["custom"] = _custom_fields(company)
    exact, folded = cache["custom"]
    if name in exact:
        return Field(name=name, fallback=fallback, custom_field_id=exact[name])
    matches = folded.get(name.casefold(), [])
    if len(matches) == 1:
        real, pk = matches[0]
        return Field(name=real, fallback=fallback, custom_field_id=pk)
    return None


def template_compile(
    body: str, *, company: Company | None, strict: bool = True, links: Mapping[str, Link] = {}
) -> MergeTemplate:
    """Parse a body into parts; `links` maps a URL of the body to its tracked link.

    strict: an unknown field raises MergeFieldError (saving, and sending one message).
    Not strict (a broadcast validated when it was saved, whose custom field was deleted
    since): the field renders as its fallback.
    """
    parts: list[Part] = []
    fields: list[Field] = []
    cache: dict = {}
    position = 0
    for match in _FIELD.finditer(body):
        parts.extend(_literal_parts(body[position : match.start()], links))
        name, fallback = match.group(1), (match.group(2) or "").strip()
        resolved = _resolve(name, fallback, company, cache)
        if resolved is None:
            if strict:
                raise MergeFieldError(name)
            parts.append(fallback)
        else:
            parts.append(resolved)
            fields.append(resolved)
        position = match.end()
    parts.extend(_literal_parts(body[position:], links))
    merged: list[Part] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return MergeTemplate(parts=tuple(merged), fields=tuple(fields))


def _literal_parts(text: str, links: Mapping[str, Link]) -> list[Part]:
    if not links or not text:
        return [text]
    out: list[Part] = []
    position = 0
    for start, url in url_spans(text):
        link = links.get(url)
        if link is None:
            continue
        out.append(text[position:start])
        out.append(link)
        position = start + len(url)
    out.append(text[position:])
    return out


def merge_fields_check(body: str, *, company: Company) -> MergeTemplate:
    """Raise MergeFieldError for an unknown field: the rule every save applies."""
    return template_compile(body, company=company, strict=True)


# ── Python rendering ────────────────────────────────────────────────────────────────


def profile_values(template: MergeTemplate, profile: Profile | None) -> dict[Field, str]:
    """The values `template` needs for one profile (one query for its custom fields)."""
    if profile is None:
        return {}
    custom_ids = {f.custom_field_id for f in template.fields if f.custom_field_id}
    custom = {}
    if custom_ids and profile.pk:
        custom = dict(
            CustomFieldValue.objects.filter(profile=profile, field_id__in=custom_ids).values_list(
                "field_id", "value"
            )
        )
    values = {}
    for f in template.fields:
        raw = custom.get(f.custom_field_id) if f.custom_field_id else getattr(profile, f.name, "")
        values[f] = raw or ""
    return values


def template_render(
    template: MergeTemplate,
    values: Mapping[Field, str],
    *,
    link_url: Callable[[Link], str] | None = None,
) -> str:
    out = []
    for part in template.parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Field):
            out.append(values.get(part) or part.fallback)
        else:
            out.append(link_url(part) if link_url else part.code)
    return "".join(out)


def template_likely_longest(template: MergeTemplate, *, link_length: int) -> str:
    """The body as a long but likely expansion: each field at its likely length.

    The filler is GSM-7 ("x"), so the encoding is the template's own; a real value
    outside GSM-7 can still switch a recipient to UCS-2 (the broadcast page counts those).
    """
    out = []
    for part in template.parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Field):
            out.append("x" * part.likely_length)
        else:
            out.append("x" * link_length)
    return "".join(out)


# ── SQL rendering ───────────────────────────────────────────────────────────────────


def template_sql(
    template: MergeTemplate,
    *,
    profile_ref: str = "pk",
    link_sql: Callable[[Link], Expression] | None = None,
) -> Expression:
    """The rendered body as one expression over the profile rows of a queryset.

    Profile columns are read from the row; a custom field is one index lookup on
    (profile, field) per row. NULLIF(…, '') then COALESCE gives the fallback to empty
    and missing values alike, as `template_render` does.
    """
    pieces: list[Expression] = []
    for part in template.parts:
        if isinstance(part, str):
            pieces.append(Value(part, output_field=CharField()))
        elif isinstance(part, Field):
            if part.custom_field_id:
                value: Subquery | F = Subquery(
                    CustomFieldValue.objects.filter(
                        profile_id=OuterRef(profile_ref), field_id=part.custom_field_id
                    ).values("value")[:1],
                    output_field=CharField(),
                )
            else:
                value = F(part.name)
            pieces.append(
                Coalesce(
                    NullIf(value, Value("")),
                    Value(part.fallback),
                    output_field=CharField(),
                )
            )
        else:
            if link_sql is None:
                raise ValueError("A tracked link needs link_sql to render in SQL.")
            pieces.append(link_sql(part))
    if not pieces:
        return Value("", output_field=CharField())
    if len(pieces) == 1:
        return pieces[0]
    return _Concat(*pieces)


class _Concat(Func):
    # PostgreSQL's variadic CONCAT: one call for the whole body (Django's Concat nests
    # a pair and two COALESCEs per piece).
    function = "CONCAT"
    output_field = CharField()
