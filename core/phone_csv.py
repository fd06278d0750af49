"""Reading a list of phone numbers from a CSV file or pasted text, as people make them.

Real files carry a UTF-8 BOM, Windows line endings, quoted values, extra columns, a
header in another case or with spaces, blank lines, duplicates and Excel's scientific
notation. `parse_phone_csv` yields one row per data line with its line number, the raw
value and the parsed number (or the reason it is not one), and never stops at a bad
row. Files that are not text (xlsx, xls, images) are refused as a whole.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import phonenumbers
from django.conf import settings

from core.errors import ServiceError
from core.phones import PhoneResult, phone_normalize, phone_search_digits

HEADER_NAMES = ("phone", "phone number", "phone_number", "phonenumber", "mobile", "mobile number")
NOT_CSV = (
    "This file is not a CSV file. Save it from your spreadsheet as “CSV (comma "
    "delimited)” with one column named phone, and upload it again."
)
_ZIP = b"PK\x03\x04"  # xlsx, ods, docx
_OLE = b"\xd0\xcf\x11\xe0"  # xls, doc
_PHONE_CHARS = re.compile(r"^[\s\d+().\-/]+$|^\s*[+-]?\d+(\.\d+)?[eE]\+?\d+\s*$")


class CsvError(ServiceError, ValueError):
    """The file as a whole cannot be read; the message is for the person uploading it."""


@dataclass(frozen=True)
class PhoneRow:
    line_no: int
    raw: str
    phone: PhoneResult | None  # None when parsed with normalize=False
    duplicate_of: int | None = None  # line of the first row with the same number

    @property
    def error(self) -> str:
        if self.phone is not None and not self.phone.valid:
            return self.phone.reason
        return ""


def _read_text(source: bytes | str | IO) -> str:
    if isinstance(source, str):
        return source.lstrip("\ufeff")
    data = source if isinstance(source, bytes) else source.read()
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    head = data[:4096]
    # Binary files (and UTF-16 text) are full of NUL bytes; a stray NUL in a text file
    # is one bad cell, which gets its own outcome (core.list_uploads.number_rows_resolve).
    if head.startswith((_ZIP, _OLE)) or head.count(b"\x00") * 20 > len(head):
        raise CsvError(NOT_CSV)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page.
        return data.decode("cp1252", errors="replace")


def _header_index(header: list[str]) -> int | None:
    names = [
        " ".join(cell.replace("\ufeff", "").strip().strip('"').lower().split()) for cell in header
    ]
    for wanted in HEADER_NAMES:
        if wanted in names:
            return names.index(wanted)
    return None


def quick_e164(raw: str) -> str | None:
    """A cheap canonical form for matching stored numbers, without libphonenumber.

    Only for plain digits and phone punctuation (and Excel's 1.2E10 form); anything else
    returns None and needs phone_normalize. Used to find existing profiles fast: a stored
    profile number is already a validated E.164 number.
    """
    text = raw.strip().strip('"').strip("'").replace("\ufeff", "")
    if not text or not _PHONE_CHARS.match(text):
        return None
    digits = phone_search_digits(text)
    if not digits:
        return None
    if text.lstrip().startswith("+"):
        return "+" + digits
    code = str(phonenumbers.country_code_for_region(settings.SMS_DEFAULT_REGION))
    national = 10 if code == "1" else None
    if national and len(digits) == national:
        return f"+{code}{digits}"
    return "+" + digits


def parse_phone_csv(source: bytes | str | IO, *, normalize: bool = True) -> Iterator[PhoneRow]:
    """Rows of the `phone` column. A file without a header row is read as one column of
    numbers. Raises CsvError for a file that is not CSV or has no phone column."""
    text = _read_text(source)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    index: int | None = None
    first_numbers: dict[str, int] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if index is None:
            index = _header_index(row)
            if index is not None:
                continue
            if len(row) == 1 and quick_e164(row[0]):
                index = 0  # a bare list of numbers, no header
            else:
                raise CsvError("The file needs a column named phone (one number per row under it).")
        raw = row[index].strip() if index < len(row) else ""
        phone = phone_normalize(raw) if normalize else None
        key = (phone.e164 if phone is not None else quick_e164(raw)) or ""
        duplicate_of = first_numbers.get(key) if key else None
        if key and duplicate_of is None:
            first_numbers[key] = reader.line_num
        yield PhoneRow(line_no=reader.line_num, raw=raw, phone=phone, duplicate_of=duplicate_of)
    if index is None:
        raise CsvError("The file is empty: add a phone header and one number per row.")
