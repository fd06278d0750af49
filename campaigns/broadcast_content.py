"""Reads about a broadcast's content: the composer's sample profile and preview, and
how many segments its filled-in body costs its recipients (set-based)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from accounts.models import Company
from campaigns.compose import ComposePreview, compose_preview, expansion_segments
from links.selectors import ClickCounts, broadcast_links, clicks_for_broadcasts
from profiles.models import Profile

from .messaging_port import messaging_port
from .models import Broadcast, Campaign, Subscription
from .selectors import broadcast_recipients


def sample_profile(*, company: Company, campaign: Campaign) -> Profile | None:
    """The profile the composer previews for: the campaign's newest active subscriber
    with a first name, else its newest one, else the company's newest profile."""
    active = Subscription.objects.filter(campaign=campaign, status="Active").order_by("-id")
    for subscription in (active.exclude(profile__first_name=""), active):
        found = subscription.select_related("profile").first()
        if found is not None:
            return found.profile
    return Profile.objects.for_company(company).order_by("-id").first()


def broadcast_compose_preview(
    *, company: Company, campaign: Campaign, body: str, shorten_links: bool
) -> tuple[ComposePreview, Profile | None]:
    profile = sample_profile(company=company, campaign=campaign)
    preview = compose_preview(body, company=company, profile=profile, shorten_links=shorten_links)
    return preview, profile


def broadcast_segment_spread(*, broadcast: Broadcast) -> dict[int, int]:
    """Segments → recipients. Once messages exist, from their stored counts (messaging's,
    through the port); before, the body filled in for every recipient in one GROUP BY
    (campaigns.compose)."""
    if broadcast.status not in (Broadcast.Status.DRAFT, Broadcast.Status.SCHEDULED):
        return messaging_port().broadcast_sent_segments(broadcast=broadcast)
    # One pass over every recipient: remembered until the broadcast is edited (or for
    # ten minutes, as the audience changes), not repeated on every visit of the page.
    key = f"broadcast:{broadcast.pk}:spread:{broadcast.updated_at.timestamp()}"
    spread = cache.get(key)
    if spread is None:
        spread = expansion_segments(
            broadcast.body,
            company=broadcast.company,
            profiles=broadcast_recipients(broadcast=broadcast),
            shorten_links=broadcast.shorten_links,
        )
        cache.set(key, list(spread.items()), 600)
        return spread
    return dict(spread)


def broadcast_content_report(*, broadcast: Broadcast) -> dict[str, Any]:
    """What the broadcast page shows of its content: the segment spread of the
    filled-in body (a warning when it is more than one count) and its link clicks."""
    spread = broadcast_segment_spread(broadcast=broadcast)
    company = broadcast.company
    counts = clicks_for_broadcasts(company=company, ids=[broadcast.pk])
    return {
        "segment_spread": sorted(spread.items()),
        "segments_vary": len(spread) > 1,
        "clicks": counts.get(broadcast.pk, ClickCounts()),
        "tracked_links": list(
            broadcast_links(company=broadcast.company, broadcast_id=broadcast.pk)
        ),
    }
