"""What the composer shows and what saving a body checks, merge fields included.

`body_validate` is the rule every save of a body applies (broadcasts, templates, the
campaign's auto-texts): its merge fields must exist (MessageBodyError naming the one
that does not) and its likely longest expansion must fit the length limit.
`compose_preview` renders the body for a sample profile and measures both.
`expansion_segments` counts, set-based, how many recipients of a queryset the filled-in
body costs each number of segments (the broadcast page's warning).
"""

from __future__ import annotations

from dataclasses import dataclass

import emoji
from django.db import connection
from django.db.models import QuerySet

from accounts.models import Company
from core.errors import ErrorKind, ServiceError
from core.segments import SegmentInfo, segment_info, segment_limit_problem
from core.segments_sql import segments_by_count
from core.text_rules import TextError, text_clean
from links.tokens import Link, link_url, link_url_sql, url_length, urls_in
from profiles.models import Profile

from .merge_fields import (
    MergeFieldError,
    MergeTemplate,
    profile_values,
    template_compile,
    template_likely_longest,
    template_render,
    template_sql,
)


class SendError(ServiceError, ValueError):
    """A call that can never be sent (wrong company, exemption not allowed)."""

    kind = ErrorKind.FORBIDDEN


class MessageBodyError(SendError):
    """A body that may not be sent: a control character, or longer than its channel allows.

    Raised before anything is stored; str(error) is written for the person who typed it.
    """

    kind = ErrorKind.INVALID


def body_check(body: str, *, has_media: bool) -> SegmentInfo:
    """The segment info of a prepared body, or MessageBodyError.

    The one length rule of every outgoing text (chat, replies, the API, broadcasts):
    an SMS of at most settings.SMS_MAX_SEGMENTS segments, an MMS text of at most
    MMS_TEXT_LIMIT characters (core.segments). A longer text is refused rather
    than stored as Undeliverable: the sender is there to shorten it, and a stored
    refusal would look like the subscriber's fault.
    """
    try:
        text_clean(body, field="The message", multiline=True)
    except TextError as error:
        raise MessageBodyError(str(error)) from None
    info = segment_info(body, has_media=has_media)
    problem = segment_limit_problem(info)
    if problem:
        raise MessageBodyError(problem)
    return info


def body_prepare(body: str) -> str:
    """Turn :emoji_name: shortcodes into emoji; the same conversion the chat box shows."""
    return emoji.emojize(body, language="alias")


def _template(body: str, company: Company, shorten_links: bool) -> MergeTemplate:
    placeholders = {}
    if shorten_links:
        # Stand-ins: the real links are made when the message is sent.
        placeholders = {url: Link(link_id=0, code=f"l{i}") for i, url in enumerate(urls_in(body))}
    try:
        return template_compile(body, company=company, strict=True, links=placeholders)
    except MergeFieldError as error:
        raise MessageBodyError(str(error)) from None


def body_validate(
    body: str, *, company: Company, shorten_links: bool = False, has_media: bool = False
) -> SegmentInfo:
    """The save-time rule of a body; returns the info of its likely longest expansion."""
    text = body_prepare(body)
    template = _template(text, company, shorten_links)
    if template.is_plain:
        return body_check(text, has_media=has_media)
    body_check(template_render(template, {}, link_url=lambda _: ""), has_media=has_media)
    longest = template_likely_longest(template, link_length=url_length())
    info = segment_info(longest, has_media=has_media)
    problem = segment_limit_problem(info)
    if problem:
        raise MessageBodyError(f"With its merge fields filled in: {problem}")
    return info


@dataclass(frozen=True)
class ComposePreview:
    text: str  # for the sample profile (or with fallbacks when there is none)
    info: SegmentInfo | None
    longest: SegmentInfo | None  # the likely longest expansion
    problem: str = ""
    fields: tuple[str, ...] = ()


def compose_preview(
    body: str,
    *,
    company: Company,
    profile: Profile | None,
    shorten_links: bool = False,
    has_media: bool = False,
) -> ComposePreview:
    text = body_prepare(body)
    try:
        template = _template(text, company, shorten_links)
    except MessageBodyError as error:
        return ComposePreview(text=text, info=None, longest=None, problem=str(error))

    def url(link: Link) -> str:
        return link_url(link_id=1, code="abc123", profile_id=profile.pk if profile else None)

    rendered = template_render(template, profile_values(template, profile), link_url=url)
    longest = template_likely_longest(template, link_length=url_length())
    info = segment_info(rendered, has_media=has_media)
    longest_info = segment_info(longest, has_media=has_media)
    if info.segments > longest_info.segments:
        longest_info = info  # the sample itself is longer than the likely values
    problem = segment_limit_problem(longest_info) or ""
    return ComposePreview(
        text=rendered,
        info=info,
        longest=longest_info,
        problem=f"With its merge fields filled in: {problem}" if problem else "",
        fields=tuple(f.name for f in template.fields),
    )


def expansion_segments(
    body: str, *, company: Company, profiles: QuerySet[Profile], shorten_links: bool = False
) -> dict[int, int]:
    """Segments → number of recipients, for the body filled in for each profile (one
    GROUP BY over the recipients, the rendering `message_send_many` does); {} for a body
    every recipient gets as typed."""
    text = body_prepare(body)
    try:
        template = template_compile(text, company=company, strict=False)
    except MergeFieldError:
        return {}
    if template.is_plain and not (shorten_links and urls_in(text)):
        return {}  # every recipient gets the text as typed: nothing to warn about
    if shorten_links:
        template = _template(text, company, True)

    def link_sql(link: Link):
        return link_url_sql(link_id=1, code="abc123")  # as long as the real link

    rendered = profiles.annotate(m_body=template_sql(template, link_sql=link_sql))
    inner_sql, inner_params = rendered.values_list("m_body").order_by().query.sql_with_params()
    sql, params = segments_by_count(inner_sql, inner_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())
