"""The one rule for text that people and clients send us.

PostgreSQL refuses a NUL byte in a text column, so a NUL that got as far as a query
turned a form post, an API call or an inbound text into a server error. The other C0
control characters (bell, escape, backspace, …) are stored fine but have no business in
a name or a message: they corrupt exports and terminals and hide text. So every entry
point refuses them with an error that names the field, before anything is written.
Tab is allowed everywhere (spreadsheets paste it); newline and carriage return only in
multi-line text (notes, message bodies).

Names also lose the Unicode bidirectional controls (U+202A–U+202E embeddings and
overrides, U+2066–U+2069 isolates, U+200E/U+200F marks, U+061C): with them
`abc\u202egnp.exe` displays as `abcexe.png`. They are *stripped*, not refused: they carry
no letters, so the name reads the same without them, and they turn up innocently in
right-to-left names copied from phone contacts and spreadsheets, which an import or a
subscriber's own profile update should not fail over. Message bodies keep them (an
Arabic or Hebrew text may need them); only names, which are shown as labels, lose them.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.errors import ServiceError

_MULTILINE_ALLOWED = frozenset("\t\n\r")
_SINGLE_LINE_ALLOWED = frozenset("\t")
_CONTROLS = frozenset(chr(c) for c in range(0x20)) | {"\x7f"}

BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)
_STRIP_BIDI = {ord(ch): None for ch in BIDI_CONTROLS}

_NAMES = {"\x00": "a NUL byte", "\t": "a tab", "\n": "a line break", "\r": "a line break"}


class TextError(ServiceError, ValueError):
    """Text with a character it may not hold; the message names the field and character."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def _describe(ch: str) -> str:
    return _NAMES.get(ch, f"the control character U+{ord(ch):04X}")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """The first forbidden character of `value`, described (None when it is clean)."""
    allowed = _MULTILINE_ALLOWED if multiline else _SINGLE_LINE_ALLOWED
    for ch in value:
        if ch in _CONTROLS and ch not in allowed:
            return _describe(ch)
    return None


def text_clean(value: Any, *, field: str, multiline: bool = False) -> Any:
    """`value` unchanged when it may be stored; TextError naming `field` otherwise.

    Anything that is not a string (None, a date, a number) passes through untouched,
    so callers can run every attribute of a record through it.
    """
    if not isinstance(value, str):
        return value
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise TextError(f"{field} contains {problem}, which is not allowed.", field=field)
    return value


def bidi_strip(value: str) -> str:
    """`value` without the bidirectional controls (BIDI_CONTROLS)."""
    return value.translate(_STRIP_BIDI)


def name_clean(value: Any, *, field: str) -> Any:
    """A single-line name: control characters refused, bidi controls stripped."""
    value = text_clean(value, field=field)
    if not isinstance(value, str):
        return value
    return bidi_strip(value)


def validate_text(value: Any) -> None:
    """Django validator for single-line text (the field's label is shown beside it)."""
    _validate(value, multiline=False)


def validate_multiline_text(value: Any) -> None:
    """Django validator for multi-line text: also allows line breaks."""
    _validate(value, multiline=True)


def _validate(value: Any, *, multiline: bool) -> None:
    if isinstance(value, str):
        problem = text_problem(value, multiline=multiline)
        if problem:
            raise ValidationError(
                f"This contains {problem}, which is not allowed.", code="control_character"
            )


class TextRulesFormMixin:
    """Every CharField of the form gets the text rule; `name_fields` also lose bidi controls.

    Django's CharField already refuses NUL (ProhibitNullCharactersValidator) but lets
    every other control character through. A Textarea is multi-line text; any other
    widget is one line. Put the mixin before `forms.Form`/`forms.ModelForm`.
    """

    name_fields: tuple[str, ...] = ()
    fields: dict[str, forms.Field]  # the form's, once its __init__ has run

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                multiline = isinstance(field.widget, forms.Textarea)
                field.validators.append(validate_multiline_text if multiline else validate_text)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]  # a mixin: the form class after it in the MRO has clean()
        for name in self.name_fields:
            if isinstance(cleaned.get(name), str):
                cleaned[name] = bidi_strip(cleaned[name])
        return cleaned
