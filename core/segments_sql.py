"""core.segments in SQL: encoding, length and segments of bodies rendered per row.

A broadcast with merge fields or tracked links has a different body for each recipient;
its INSERT … SELECT computes each row's encoding and segment count here, with the same
rules as `segment_info`: GSM-7 when every character is in the GSM alphabet, escape
characters costing two septets, UTF-16 code units for UCS-2, and parts filled without
splitting an escape or surrogate pair. The fast path (no escape or astral character:
every character costs one) is a division; only the other multipart rows call
`sc_sms_segments` (migration messaging/0009), which packs the parts as `_pack` does.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    GSM7_PART,
    GSM7_SINGLE,
    MMS_TEXT_LIMIT,
    UCS2_PART,
    UCS2_SINGLE,
)


def _bracket(chars: str) -> str:
    # In PostgreSQL's AREs a backslash escapes any non-alphanumeric character in [].
    return "".join("\\" + ch if ch in "\\]^-[" else ch for ch in chars)


GSM7_PATTERN = f"^[{_bracket(GSM7_BASIC + GSM7_EXTENSION)}]*$"
EXTENSION_CLASS = f"[{_bracket(GSM7_EXTENSION)}]"
NOT_EXTENSION_CLASS = f"[^{_bracket(GSM7_EXTENSION)}]"
ASTRAL_CLASS = "[\\U00010000-\\U0010FFFF]"
NOT_ASTRAL_CLASS = "[^\\U00010000-\\U0010FFFF]"


# Compiled ORM SQL goes in {inner}; every value is a parameter.
_LEVEL1 = (
    "SELECT r.*, (r.m_body ~ %s) AS x_gsm, char_length(r.m_body) + "
    "CASE WHEN r.m_body ~ %s THEN (CASE WHEN r.m_body ~ %s "
    "THEN char_length(regexp_replace(r.m_body, %s, '', 'g')) ELSE 0 END) "
    "ELSE (CASE WHEN r.m_body ~ %s "
    "THEN char_length(regexp_replace(r.m_body, %s, '', 'g')) ELSE 0 END) END "
    "AS x_chars FROM ({inner}) r"
)


def measured(inner_sql: str, inner_params: tuple, *, has_media: bool) -> tuple[str, tuple]:
    """SELECT of the inner rows plus x_gsm, x_chars and x_segments of their m_body."""
    # Level 1: gsm and characters; level 2: segments; level 3: the insert columns.
    level1 = _LEVEL1.format(inner=inner_sql)
    # Escape characters cost two in GSM-7, astral ones two in UCS-2; each is counted
    # only for the encoding it matters in, and only when the text has one.
    params1 = (
        GSM7_PATTERN,
        GSM7_PATTERN,
        EXTENSION_CLASS,
        NOT_EXTENSION_CLASS,
        ASTRAL_CLASS,
        NOT_ASTRAL_CLASS,
        *inner_params,
    )
    if has_media:
        segments = "1"
        params2: tuple = ()
    else:
        segments = (
            "CASE WHEN x_gsm AND x_chars <= %s THEN 1 WHEN NOT x_gsm AND x_chars <= %s THEN 1 "
            "WHEN x_gsm AND m_body !~ %s THEN ceil(x_chars / %s::numeric)::int "
            "WHEN NOT x_gsm AND m_body !~ %s THEN ceil(x_chars / %s::numeric)::int "
            "WHEN x_gsm THEN sc_sms_segments(m_body, %s, %s, true) "
            "ELSE sc_sms_segments(m_body, '', %s, false) END"
        )
        params2 = (
            GSM7_SINGLE,
            UCS2_SINGLE,
            EXTENSION_CLASS,
            GSM7_PART,
            ASTRAL_CLASS,
            UCS2_PART,
            GSM7_EXTENSION,
            GSM7_PART,
            UCS2_PART,
        )
    level2 = f"SELECT s.*, {segments} AS x_segments FROM ({level1}) s"  # noqa: S608 (as above)
    return level2, (*params2, *params1)


def segments_by_count(inner_sql: str, inner_params: tuple) -> tuple[str, tuple]:
    """Segments and how many rows cost that many, of an inner SELECT with m_body."""
    sql, params = measured(inner_sql, inner_params, has_media=False)
    return f"SELECT x_segments, COUNT(*) FROM ({sql}) m GROUP BY x_segments", params  # noqa: S608 (compiled ORM SQL)


def rows_with_segments(
    inner_sql: str,
    inner_params: tuple,
    *,
    columns: list[str],
    has_media: bool,
    casts: dict[str, str],
) -> tuple[str, tuple]:
    """Wrap a SELECT whose rows carry `m_body` and `m_status`, `m_reason`: the same
    columns, with encoding, segments and multipart computed from each row's body, and a
    body past the length limit made Undeliverable (it would be refused if sent alone).

    `columns` are the aliases of the inner SELECT in insert order; `m_encoding`,
    `m_segments`, `m_multipart`, `m_status`, `m_reason`, `m_channel` are replaced.
    """
    limit = settings.SMS_MAX_SEGMENTS
    level2, params12 = measured(inner_sql, inner_params, has_media=has_media)
    if has_media:
        too_long, params3 = "x_chars > %s", (MMS_TEXT_LIMIT,)
    else:
        too_long, params3 = "x_segments > %s", (limit,)
    replaced = {
        "m_encoding": "CASE WHEN x_gsm THEN 'GSM-7' ELSE 'UCS-2' END",
        "m_segments": "x_segments",
        "m_multipart": "x_segments > 1" if not has_media else "false",
        "m_status": f"CASE WHEN {too_long} THEN 'Undeliverable' ELSE m_status END",
        "m_reason": (
            f"CASE WHEN {too_long} AND m_reason = '' "
            "THEN 'Too long once its merge fields were filled in' ELSE m_reason END"
        ),
    }
    select: list[str] = []
    params_out: list[Any] = []
    for name in columns:
        if name in ("m_status", "m_reason"):
            select.append(replaced[name])
            params_out.extend(params3)
        elif name in replaced:
            select.append(replaced[name])
        elif name in casts:
            # A NULL parameter comes out of a subquery as text: give it its type back.
            select.append(f"{name}::{casts[name]}")
        else:
            select.append(name)
    sql = f"SELECT {', '.join(select)} FROM ({level2}) t"  # noqa: S608 (constant column names)
    # Parameter order follows the text: outer select's, then level2's, then level1's.
    return sql, (*params_out, *params12)
