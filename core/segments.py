"""How many SMS segments a text costs, and in which encoding it travels.

GSM 03.38 packs 7-bit characters: 160 fit in one SMS; a longer text is split into
parts of 153, because each part carries a 7-septet user-data header. The extension
characters (^{}\\[~]|€ and form feed) are sent as ESC + character and cost two
septets, and an escape pair is never split between two parts. As soon as one
character is outside the GSM alphabet the whole text is sent as UCS-2 (UTF-16):
70 code units alone, 67 per part; characters beyond the Basic Multilingual Plane
(most emoji) take two code units and a surrogate pair is never split either.

static/js/sms-counter.js implements the same rules for the browser; a test checks
that both carry the same alphabet and limits, and the same segment limit
(settings.SMS_MAX_SEGMENTS, which the pages hand the counter as data-max-segments).
"""

from dataclasses import dataclass

from django.conf import settings

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"

GSM7_SINGLE = 160
GSM7_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67
# MMS carries the text as one message part; carriers accept about 1,600 characters.
MMS_TEXT_LIMIT = 1600

_BASIC = frozenset(GSM7_BASIC)
_EXTENSION = frozenset(GSM7_EXTENSION)


@dataclass(frozen=True)
class SegmentInfo:
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    per_segment: int
    remaining_in_segment: int
    channel: str  # "sms" or "mms"

    @property
    def multipart(self) -> bool:
        return self.channel == "sms" and self.segments > 1


def is_gsm7(body: str) -> bool:
    return all(ch in _BASIC or ch in _EXTENSION for ch in body)


def _units(body: str, gsm: bool) -> list[int]:
    """The cost of each character: 1 or 2 septets (GSM-7) or UTF-16 code units (UCS-2)."""
    if gsm:
        return [2 if ch in _EXTENSION else 1 for ch in body]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in body]


def _pack(units: list[int], per_part: int) -> tuple[int, int]:
    """Fill parts greedily without splitting a character; returns (parts, used in last)."""
    parts, used = 1, 0
    for cost in units:
        if used + cost > per_part:
            parts += 1
            used = 0
        used += cost
    return parts, used


def segment_info(body: str, *, has_media: bool = False) -> SegmentInfo:
    """Encoding, length and segment count of an outgoing text (with media: one MMS)."""
    gsm = is_gsm7(body)
    encoding = "GSM-7" if gsm else "UCS-2"
    units = _units(body, gsm)
    characters = sum(units)
    if has_media:
        return SegmentInfo(
            encoding=encoding,
            characters=characters,
            segments=1,
            per_segment=MMS_TEXT_LIMIT,
            remaining_in_segment=max(MMS_TEXT_LIMIT - characters, 0),
            channel="mms",
        )
    single, part = (GSM7_SINGLE, GSM7_PART) if gsm else (UCS2_SINGLE, UCS2_PART)
    if characters <= single:
        return SegmentInfo(encoding, characters, 1, single, single - characters, "sms")
    segments, used = _pack(units, part)
    return SegmentInfo(encoding, characters, segments, part, part - used, "sms")


def max_segments() -> int:
    """How many segments one SMS may cost (settings.SMS_MAX_SEGMENTS, 10 by default)."""
    return settings.SMS_MAX_SEGMENTS


def segment_limit_problem(info: SegmentInfo) -> str | None:
    """Why a text of `info` is too long for its channel, or None when it may be sent."""
    if info.channel == "mms":
        if info.characters > MMS_TEXT_LIMIT:
            return (
                f"A picture message's text can be at most {MMS_TEXT_LIMIT} characters "
                f"(this one has {info.characters})."
            )
        return None
    limit = max_segments()
    if info.segments > limit:
        return (
            f"This message is {info.segments} segments long; at most {limit} segments "
            f"can be sent as one message. Shorten it."
        )
    return None
