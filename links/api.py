"""Tracked link endpoints of the XML API (seed 004): List Tinyurls, List Web Clicks."""

from __future__ import annotations

from lxml.etree import _Element as Element

from accounts.tenancy import Perm
from api import ApiCall, api_endpoint, invalid, not_found, sub, success
from api.xml import fmt_time
from profiles.models import Profile
from profiles.profile_xml import (
    ProfileParts,
    UtcText,
    company_custom_fields,
    profile_element,
    profiles_with_details,
)

from .models import TrackedLink
from .selectors import click_totals, link_clicks, tinyurl_list
from .tokens import link_url, short_base, token_parse

INVALID_URL = 20  # seed 004: "Invalid URL"


def _short_url(link: TrackedLink) -> str:
    return link_url(link_id=link.pk, code=link.code, profile_id=None)


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def tinyurls(call: ApiCall) -> Element:
    root = success()
    container = sub(root, "tinyurls")
    for link in tinyurl_list(company=call.company):
        element = sub(container, "tinyurl", id=link.pk)
        sub(element, "url", link.url)
        sub(element, "short_url", _short_url(link))
        sub(element, "campaign_id", link.campaign_id)
        sub(element, "broadcast_id", link.broadcast_id)
        sub(element, "created_at", fmt_time(link.created_at))
    return root


def _link(call: ApiCall) -> TrackedLink:
    """The link named by url_id, or by url: a short URL (any recipient's, or the bare one)."""
    links = TrackedLink.objects.for_company(call.company)
    link_id = call.params.integer("url_id", INVALID_URL)
    if link_id is not None:
        link = links.filter(pk=link_id).first()
        if link is None:
            raise not_found(INVALID_URL, str(link_id))
        return link
    url = call.params.get("url").strip()
    if not url:
        raise invalid(INVALID_URL, "url_id or url is required")
    base = short_base() + "/"
    parsed = token_parse(url[len(base) :].split("?")[0]) if url.startswith(base) else None
    link = links.filter(code=parsed.code).first() if parsed else None
    if link is None:
        raise not_found(INVALID_URL, url[:200])
    return link


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def clicks(call: ApiCall) -> Element:
    p = call.params
    link = _link(call)
    since, until = p.date_range()
    queryset = link_clicks(company=call.company, link=link, since=since, until=until)
    totals = click_totals(queryset)
    root = success()
    if p.flag("total_link_clicks", False):
        sub(root, "clicks", total_link_clicks=totals.total, unique=totals.unique)
        return root
    page = p.page(default_limit=100)
    rows = list(
        page.slice(queryset.order_by("-clicked_at", "-id"))
        .annotate(api_created_at=UtcText("clicked_at", UtcText.ELEMENT))
        .select_related("profile")
    )
    container = sub(root, "clicks", num=len(rows), unique=totals.unique, page=page.number)
    base = short_base()
    elements = []
    for click in rows:
        element = sub(container, "click", id=click.pk)
        sub(element, "created_at", click.api_created_at)
        sub(element, "url", link.url)
        sub(element, "clicked_url", f"{base}/{click.token}")
        sub(element, "remote_addr", click.remote_addr)
        sub(element, "http_referer", click.referer)
        sub(element, "user_agent", click.user_agent)
        sub(element, "profile_id", click.profile_id)
        elements.append((element, click))
    if p.flag("include_profile", False):
        _include_profiles(call, elements)
    return root


def _include_profiles(call: ApiCall, elements: list) -> None:
    parts = ProfileParts.for_company(call.company, clicks=False)
    fields = company_custom_fields(call.company, parts)
    ids = {click.profile_id for _, click in elements if click.profile_id}
    found = Profile.objects.for_company(call.company).filter(pk__in=ids)
    profiles = {row.id: row for row in profiles_with_details(found, parts)}
    for element, click in elements:
        row = profiles.get(click.profile_id)
        if row is not None:
            sub(element, "phone_number", row.phone_number.lstrip("+"))
            profile_element(element, row, custom_fields=fields, parts=parts)
