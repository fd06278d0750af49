"""The broadcasts table's rows (the Broadcasts page, a campaign's page), built in Python.

Each row rendered from the template cost an {% include %} of the status badge, two
{% url %} reversals and a dozen filters: more than the list's SQL. A row is the same
markup from URLs reversed once per table.
"""

from collections.abc import Iterable
from html import escape as _e  # what django.utils.html.escape does, without its wrapping

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from profiles.templatetags.display import subscriber_time, when
from profiles.url_makers import url_maker

from .models import Broadcast

STATUS_BADGES = {
    "sent": "badge-green",
    "scheduled": "badge-blue",
    "sending": "badge-amber",
    "generated": "badge-amber",
    "canceled": "badge-red",
}


def status_badge(status: str) -> str:
    """campaigns/_status.html: the status, capitalised, in its colour."""
    label = _e(status[:1].upper() + status[1:])
    return f'<span class="badge {STATUS_BADGES.get(status, "")}">{label}</span>'


def _preview(text: str, length: int) -> str:
    # {{ text|truncatechars:length }}; a short text comes back whole, as from Truncator.
    return text if len(text) <= length and text.isascii() else Truncator(text).chars(length)


def broadcast_rows(broadcasts: Iterable[Broadcast], *, show_campaign: bool) -> list[SafeString]:
    detail = url_maker("campaigns:broadcast_detail")
    campaign_url = url_maker("campaigns:detail")
    rows = []
    for b in broadcasts:
        campaign = (
            f'<td><a href="{_e(campaign_url(b.campaign_id))}">{_e(b.campaign.name)}</a></td>'
            if show_campaign
            else ""
        )
        if b.delivery_time and b.localtime:
            delivery = subscriber_time(b.delivery_time, b.campaign.timezone)
        else:
            delivery = when(b.delivery_time) or "—"
        recipients = (
            str(b.recipients_count)
            if b.status == "sent"
            else f'<span class="muted" title="Estimated">~{b.estimated_recipients_count}</span>'
        )
        rows.append(
            mark_safe(  # noqa: S308  (every value is escaped)
                f'<tr><td><a href="{_e(detail(b.pk))}">{_e(b.name)}</a>'
                f'<div class="muted small">{_e(_preview(b.body, 70))}</div></td>'
                f"{campaign}<td>{status_badge(b.status)}</td><td>{_e(delivery)}</td>"
                f"<td>{recipients}</td><td>{b.sent_count}</td><td>{b.replies_count}</td>"
                f"<td>{b.opt_outs_count}</td></tr>"
            )
        )
    return rows
