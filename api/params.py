"""Reading the API's query and form parameters, with the seed's errors for bad values.

Parameters come from the query string and, for POST, from the form body too (clients
mix both: `curl --data` for some, `?company=` on the URL for others). Every reader
either returns a clean Python value or raises `ApiError`, so an endpoint never sees a
half-parsed value and hostile input (huge limits, bad dates, 10,000 numbers) is refused
before any query or write runs. Unknown parameters are ignored, as Mobile Commons does.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Literal, overload

from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from core.phones import phone_normalize
from core.text_rules import text_problem

from .errors import invalid

MAX_LIMIT = 1000
MAX_PHONE_NUMBERS = 1000
MAX_PAGE = 1_000_000  # page × limit must stay far inside PostgreSQL's OFFSET range
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
# The seed code for a refused value of these parameters; any other parameter gets 16.
_TEXT_ERROR_CODES = {"body": 3, "name": 18}


@dataclass(frozen=True)
class Page:
    number: int
    limit: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.limit

    def slice(self, queryset):
        return queryset[self.offset : self.offset + self.limit]


class Params:
    def __init__(self, request: HttpRequest) -> None:
        self.query: QueryDict = request.GET
        self.form: QueryDict | None = request.POST if request.method == "POST" else None
        self.files = request.FILES if request.method == "POST" else {}

    def refuse_control_characters(self) -> None:
        """Refuse a call whose parameter names or values hold NUL or another C0 control.

        PostgreSQL cannot store NUL, and no parameter of the API has a use for the other
        controls (line breaks and tabs aside, which message bodies may hold), so the whole
        call is refused before any endpoint reads it, naming the parameter. The services
        behind the endpoints apply the same rule (core.text_rules) again.
        """
        sources = [self.query] if self.form is None else [self.query, self.form]
        for source in sources:
            for name, values in source.lists():
                problem = text_problem(name)
                if problem:
                    raise invalid(16, f"a parameter name contains {problem}")
                for value in values:
                    problem = text_problem(value, multiline=True)
                    if problem:
                        code = _TEXT_ERROR_CODES.get(name, 16)
                        raise invalid(code, f"{name[:40]} contains {problem}")

    def _getlist(self, name: str) -> list[str]:
        values = list(self.query.getlist(name))
        if self.form is not None:
            values += self.form.getlist(name)
        return values

    def has(self, name: str) -> bool:
        return bool(self._getlist(name))

    def names(self) -> list[str]:
        names = list(self.query.keys())
        if self.form is not None:
            names += [n for n in self.form if n not in self.query]
        return names

    def get(self, name: str, default: str = "") -> str:
        """The last value given for `name`, stripped (form values win over the URL)."""
        values = self._getlist(name)
        return values[-1].strip() if values else default

    def raw(self, name: str) -> str | None:
        """The value exactly as sent (message bodies keep their spaces); None when absent."""
        values = self._getlist(name)
        return values[-1] if values else None

    def values(self, name: str) -> list[str]:
        """`name=a,b`, repeated `name=a&name=b` and `name[]=a&name[]=b`, flattened."""
        values: list[str] = []
        for raw in self._getlist(name) + self._getlist(name + "[]"):
            values += [part.strip() for part in raw.split(",") if part.strip()]
        return values

    def required(self, name: str, code: int = 16) -> str:
        value = self.get(name)
        if not value:
            raise invalid(code, f"{name} is required")
        return value

    @overload
    def integer(self, name: str, code: int = 16, *, required: Literal[True]) -> int: ...
    @overload
    def integer(self, name: str, code: int = 16, *, required: bool = False) -> int | None: ...
    def integer(self, name: str, code: int = 16, *, required: bool = False) -> int | None:
        value = self.get(name)
        if not value:
            if required:
                raise invalid(code, f"{name} is required")
            return None
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            raise invalid(code, f"{name} must be a positive whole number")
        return int(value)

    def integers(self, name: str, code: int = 16) -> list[int]:
        values = self.values(name)
        for value in values:
            if not value.isascii() or not value.isdigit() or len(value) > 18:
                raise invalid(code, f"{name} must be whole numbers")
        return [int(v) for v in values]

    def flag(self, name: str, default: bool) -> bool:
        value = self.get(name).lower()
        if not value:
            return default
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise invalid(16, f"{name} must be true or false")

    def page(self, *, default_limit: int, max_limit: int = MAX_LIMIT) -> Page:
        limit = self.integer("limit")
        if limit is None:
            limit = default_limit
        if not 1 <= limit <= max_limit:
            raise invalid(16, f"limit must be between 1 and {max_limit}")
        number = self.integer("page")
        if number is None:
            number = 1
        if not 1 <= number <= MAX_PAGE:
            raise invalid(16, f"page must be between 1 and {MAX_PAGE}")
        return Page(number=number, limit=limit)

    def moment(self, name: str, code: int = 16) -> dt.datetime | None:
        """An ISO-8601 date or date-time; without an offset it is UTC (seed 004)."""
        value = self.get(name)
        if not value:
            return None
        try:
            parsed = parse_datetime(value.replace(" ", "T", 1) if "T" not in value else value)
            if parsed is None:
                day = parse_date(value)
                parsed = dt.datetime.combine(day, dt.time()) if day else None
        except (ValueError, OverflowError):
            parsed = None
        if parsed is None:
            raise invalid(code, f"{name} must be an ISO-8601 date or time, got {value[:40]!r}")
        if timezone.is_naive(parsed):
            parsed = parsed.replace(tzinfo=dt.UTC)
        try:
            # 9999-12-31T23:59:59-23:59 parses, but lies past datetime.max once in UTC
            # (and 0001-01-01T00:00:00+14:00 before datetime.min): every comparison and
            # query would raise OverflowError. Converting here refuses it as a bad date.
            return parsed.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise invalid(
                code, f"{name} is outside the range of dates, got {value[:40]!r}"
            ) from None

    def date_range(
        self, start: str = "from", end: str = "to", start_code: int = 16, end_code: int = 16
    ) -> tuple[dt.datetime | None, dt.datetime | None]:
        since, until = self.moment(start, start_code), self.moment(end, end_code)
        if since and until and since > until:
            raise invalid(35, f"{start} is after {end}")
        return since, until

    def phone_numbers(
        self,
        name: str = "phone_number",
        *,
        required: bool = True,
        limit: int = MAX_PHONE_NUMBERS,
        strict: bool = False,
    ) -> list[str]:
        """The E.164 numbers given, in order, without repeats.

        One unparseable number refuses the whole call (error 5 naming it), so a batch
        is never half applied. Lookups accept any number that parses (imported data may
        hold numbers that are not valid); `strict` calls, which create profiles, also
        refuse numbers that are not valid phone numbers.
        """
        raw = self.values(name)
        if not raw:
            if required:
                raise invalid(28)
            return []
        if len(raw) > limit:
            raise invalid(16, f"at most {limit} phone numbers per call, got {len(raw)}")
        numbers: dict[str, None] = {}
        for value in raw:
            result = phone_normalize(value)
            if not result.e164 or (strict and not result.valid):
                raise invalid(5, f"{value[:40]!r} ({result.reason or 'not a phone number'})")
            numbers[result.e164] = None
        return list(numbers)

    def phone_number(self, name: str = "phone_number", *, strict: bool = False) -> str:
        numbers = self.phone_numbers(name, limit=1, strict=strict)
        return numbers[0]
