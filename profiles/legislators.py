"""Loading legislators from files in the public-domain congress-legislators format.

Two shapes are read (https://github.com/unitedstates/congress-legislators):
  * legislators-current.yaml: a list of {id: {bioguide}, name: {first, last},
    terms: [{type: sen|rep, state, district, party, class, phone, url, address,
    start, end}]}; the last term is the current one.
  * legislators-current.csv: columns last_name, first_name, …, type, state, district,
    senate_class, party, url, address, phone, bioguide_id.

congress-legislators covers Congress only. Governors and state legislators load from
the same shapes with an extended `type` (YAML term) or `office` column (CSV):
sen, rep, gov, state_sen, state_rep; their id can be any key of `id` (openstates,
govtrack, …) or an `id` CSV column.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from core.errors import ServiceError
from core.safe_urls import UnsafeUrlError, external_url_clean

from .models import Legislator
from .selectors_detail import district_number, state_code

OFFICES = {
    "sen": Legislator.Office.SENATOR,
    "senator": Legislator.Office.SENATOR,
    "rep": Legislator.Office.CONGRESSPERSON,
    "congressperson": Legislator.Office.CONGRESSPERSON,
    "gov": Legislator.Office.GOVERNOR,
    "governor": Legislator.Office.GOVERNOR,
    "state_sen": Legislator.Office.STATE_SENATOR,
    "state_senator": Legislator.Office.STATE_SENATOR,
    "state_rep": Legislator.Office.STATE_REPRESENTATIVE,
    "state_representative": Legislator.Office.STATE_REPRESENTATIVE,
}
STATEWIDE = {Legislator.Office.SENATOR, Legislator.Office.GOVERNOR}
ID_KEYS = ("bioguide", "openstates", "govtrack", "thomas", "lis", "id")


class LegislatorFileError(ServiceError, ValueError):
    pass


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _record(
    *,
    external_id: str,
    office_code: str,
    first: str,
    last: str,
    term: dict[str, Any],
) -> dict[str, Any]:
    office = OFFICES.get(str(office_code or "").strip().lower())
    if office is None:
        raise LegislatorFileError(
            f"unknown office/type “{office_code}” (use sen, rep, gov, state_sen or state_rep)"
        )
    state = state_code(str(term.get("state") or ""))
    if not state:
        raise LegislatorFileError(f"unknown state “{term.get('state')}”")
    if not (first or last):
        raise LegislatorFileError("a name is required")
    raw_district = term.get("district")
    raw_district = "" if raw_district is None else str(raw_district)  # 0 is at-large
    district = "" if office in STATEWIDE else district_number(raw_district)
    if office not in STATEWIDE and not district:
        raise LegislatorFileError("a district is required for this office")
    senate_class = term.get("class") or term.get("senate_class")
    external_id = external_id or f"{office}-{state}-{district or 'statewide'}-{last}".lower()
    return {
        "external_id": str(external_id)[:50],
        "office": office,
        "first_name": str(first or "")[:100],
        "last_name": str(last or "")[:100],
        "party": str(term.get("party") or "")[:50],
        "state": state,
        "district": district,
        "senate_class": int(str(senate_class)) if str(senate_class or "").isdigit() else None,
        "phone": str(term.get("phone") or "")[:30],
        "url": _website(term.get("url")),
        "address": str(term.get("address") or "")[:300],
        "term_start": _date(term.get("start")),
        "term_end": _date(term.get("end")),
    }


def _website(raw: object) -> str:
    """The term's website when it is a safe http(s) link that fits the column, else "".

    The file is public data, but its links are shown as links: a bad one is dropped and
    the legislator still loads.
    """
    try:
        return external_url_clean(str(raw or "").strip(), max_length=200)
    except UnsafeUrlError:
        return ""


def parse_yaml(text: str) -> Iterable[tuple[str, dict[str, Any] | LegislatorFileError]]:
    try:
        data = yaml.safe_load(text) or []
    except yaml.YAMLError as error:
        raise LegislatorFileError(f"not valid YAML: {error}") from error
    if not isinstance(data, list):
        raise LegislatorFileError("the YAML file must be a list of legislators")
    for index, entry in enumerate(data, start=1):
        where = f"entry {index}"
        try:
            if not isinstance(entry, dict):
                raise LegislatorFileError("not a mapping")
            ids = entry.get("id") or {}
            name = entry.get("name") or {}
            terms = entry.get("terms") or []
            if not terms:
                raise LegislatorFileError("no terms")
            term = terms[-1]  # the current term is the last one
            external_id = next((str(ids[k]) for k in ID_KEYS if ids.get(k)), "")
            where = f"entry {index} ({external_id or name.get('last', '?')})"
            yield (
                where,
                _record(
                    external_id=external_id,
                    office_code=term.get("type", ""),
                    first=name.get("first") or name.get("nickname", ""),
                    last=name.get("last", ""),
                    term=term,
                ),
            )
        except LegislatorFileError as error:
            yield where, error


def parse_csv(text: str) -> Iterable[tuple[str, dict[str, Any] | LegislatorFileError]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"last_name", "first_name", "state"} - set(reader.fieldnames or [])
    if missing:
        raise LegislatorFileError(f"the CSV file lacks columns: {', '.join(sorted(missing))}")
    for line, row in enumerate(reader, start=2):
        where = f"line {line}"
        try:
            external_id = row.get("bioguide_id") or row.get("id") or ""
            yield (
                where,
                _record(
                    external_id=external_id,
                    office_code=row.get("office") or row.get("type") or "",
                    first=row.get("first_name", ""),
                    last=row.get("last_name", ""),
                    term=row,
                ),
            )
        except LegislatorFileError as error:
            yield where, error


@transaction.atomic
def legislators_load(*, path: Path) -> LoadResult:
    """Create or update legislators from a YAML or CSV file, keyed by their id.

    A bad entry is reported by its position and skipped; the good ones still load.
    """
    text = path.read_text(encoding="utf-8")
    parse = parse_csv if path.suffix.lower() == ".csv" else parse_yaml
    result = LoadResult()
    for where, record in parse(text):
        if isinstance(record, LegislatorFileError):
            result.errors.append(f"{where}: {record}")
            continue
        _, created = Legislator.objects.update_or_create(
            external_id=record.pop("external_id"), defaults=record
        )
        if created:
            result.created += 1
        else:
            result.updated += 1
    return result
