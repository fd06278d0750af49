import json
import re
from pathlib import Path

import pytest

from core import segments
from core.segments import segment_info

JS = Path(__file__).resolve().parents[2] / "static" / "js" / "sms-counter.js"


@pytest.mark.parametrize(
    ("body", "encoding", "characters", "count", "remaining"),
    [
        ("", "GSM-7", 0, 1, 160),
        ("Hello", "GSM-7", 5, 1, 155),
        ("a" * 160, "GSM-7", 160, 1, 0),
        ("a" * 161, "GSM-7", 161, 2, 145),
        ("a" * 306, "GSM-7", 306, 2, 0),
        ("a" * 307, "GSM-7", 307, 3, 152),
        ("€" * 80, "GSM-7", 160, 1, 0),
        ("{" * 81, "GSM-7", 162, 2, 143),
        ("^{}\\[~]|€", "GSM-7", 18, 1, 142),
        ("Ünïcode é", "UCS-2", 9, 1, 61),
        ("ç" * 70, "UCS-2", 70, 1, 0),
        ("ç" * 71, "UCS-2", 71, 2, 63),
        ("😀", "UCS-2", 2, 1, 68),
        ("Hi 😀", "UCS-2", 5, 1, 65),
        ("😀" * 35, "UCS-2", 70, 1, 0),
        ("😀" * 36, "UCS-2", 72, 2, 61),
    ],
)
def test_it_counts_encoding_characters_and_segments(body, encoding, characters, count, remaining):
    info = segment_info(body)
    assert (info.encoding, info.characters, info.segments, info.remaining_in_segment) == (
        encoding,
        characters,
        count,
        remaining,
    )
    assert info.channel == "sms"


def test_it_never_splits_an_escape_pair_between_parts():
    # 152 plain characters then "€": the escape pair would straddle parts 1 and 2.
    info = segment_info("a" * 152 + "€" + "a" * 10)
    assert info.characters == 164
    assert info.segments == 2
    assert info.remaining_in_segment == 153 - 12


def test_it_never_splits_an_emoji_between_parts():
    info = segment_info("ç" * 66 + "😀" + "ç" * 5)
    assert info.characters == 73
    assert info.segments == 2
    assert info.remaining_in_segment == 67 - 7


def test_a_message_with_media_is_one_mms():
    info = segment_info("a" * 500, has_media=True)
    assert info.channel == "mms"
    assert info.segments == 1
    assert not info.multipart


def test_multipart_means_more_than_one_sms():
    assert segment_info("a" * 161).multipart
    assert not segment_info("a" * 160).multipart


def _js_string(name: str) -> str:
    """The value of a `const NAME = "..." + "...";` string in the JS file."""
    source = JS.read_text(encoding="utf-8")
    start = source.index(f"const {name} =")
    statement = source[start : source.index(";\n", start)]
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', statement)
    assert parts, f"{name} not found in sms-counter.js"
    return "".join(json.loads(f'"{part}"') for part in parts)


def _js_number(name: str) -> int:
    match = re.search(rf"const {name} = (\d+);", JS.read_text(encoding="utf-8"))
    assert match, f"{name} not found in sms-counter.js"
    return int(match.group(1))


def test_the_browser_counter_uses_the_same_alphabet_and_limits():
    assert _js_string("GSM7_BASIC") == segments.GSM7_BASIC
    assert _js_string("GSM7_EXTENSION") == segments.GSM7_EXTENSION
    for name in ("GSM7_SINGLE", "GSM7_PART", "UCS2_SINGLE", "UCS2_PART", "MMS_TEXT_LIMIT"):
        assert _js_number(name) == getattr(segments, name), name


def test_the_browser_counter_defaults_to_the_segment_limit_of_the_settings(settings):
    assert _js_number("MAX_SEGMENTS") == settings.SMS_MAX_SEGMENTS == segments.max_segments()


@pytest.mark.parametrize(
    ("body", "media", "limit", "problem"),
    [
        ("a" * 1530, False, 10, None),
        ("a" * 1531, False, 10, "This message is 11 segments long; at most 10 segments"),
        ("a" * 307, False, 2, "This message is 3 segments long; at most 2 segments"),
        ("a" * 1600, True, 10, None),
        ("a" * 1601, True, 10, "A picture message's text can be at most 1600 characters"),
    ],
)
def test_the_segment_limit_problem_names_the_count_and_the_limit(
    settings, body, media, limit, problem
):
    settings.SMS_MAX_SEGMENTS = limit
    found = segments.segment_limit_problem(segment_info(body, has_media=media))
    if problem is None:
        assert found is None
    else:
        assert found.startswith(problem)
