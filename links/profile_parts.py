"""What links contributes to profiles, registered in LinksConfig.ready().

profiles sits below links in the layer contract and may not import it, yet the
profile's XML (`<clicks>`) and its activity feed show the profile's tracked-link
clicks. Both are written here and handed to profiles through its registries
(profiles.extensions).
"""

from datetime import timedelta
from typing import Any

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from api.xml import leaf_tags, leaves, tag_text
from profiles.extensions import FeedSource, XmlPart, feed_sources, xml_parts
from profiles.models import Profile
from profiles.profile_xml import AnyOf, UtcText
from profiles.selectors_detail import FeedItem

from .models import Click
from .selectors import profile_clicks
from .tokens import short_base

# --- <clicks> in the profile's XML (profiles.profile_xml) ---------------------------

# A profile's newest clicks go into its <clicks>; the List Web Clicks call has them all.
CLICKS_PER_PROFILE = 20
_CLICK = leaf_tags("created_at", "url", "clicked_url", "remote_addr", "http_referer", "user_agent")


def _click_rows(profile_ids: list[int]) -> list[tuple]:
    """A page's newest clicks per profile in one query, as flat tuples (profile id first)."""
    base = short_base()
    newest = (
        Click.objects.filter(AnyOf(F("profile_id"), profile_ids))
        .annotate(
            rank=Window(RowNumber(), partition_by=F("profile_id"), order_by=F("clicked_at").desc()),
            api_created_at=UtcText("clicked_at", UtcText.ELEMENT),
        )
        .filter(rank__lte=CLICKS_PER_PROFILE)
        .order_by("profile_id", "-clicked_at", "-id")
        .values_list(
            "profile_id", "id", "api_created_at", "link__url", "token",
            "remote_addr", "referer", "user_agent",
        )
    )  # fmt: skip
    return [(*row[:4], f"{base}/{row[4]}", *row[5:]) for row in newest]


def _clicks_xml(clicks: list[tuple]) -> str:
    if not clicks:
        return "<clicks/>"
    out = []
    for click_id, created_at, url, clicked_url, remote_addr, referer, user_agent in clicks:
        out.append(
            f'<click id="{click_id}">'
            + leaves(_CLICK, (created_at, url, clicked_url, remote_addr or "", referer, user_agent))
            + "</click>"
        )
    return tag_text("clicks", "".join(out))


# --- The activity feed (profiles.selectors_detail.profile_activity) -----------------


def _feed_clicks(
    *, profile: Profile, channel: str, origin: str, status: str, days: int | None
) -> QuerySet | None:
    """The profile's tracked-link clicks: web activity, from a broadcast's link or not."""
    if channel or status or origin not in ("", "broadcast"):
        return None
    clicks = profile_clicks(profile=profile)
    if origin == "broadcast":
        clicks = clicks.filter(link__broadcast__isnull=False)
    if days:
        clicks = clicks.filter(clicked_at__gte=timezone.now() - timedelta(days=days))
    return clicks


def _click_item(click: Any) -> FeedItem:
    return FeedItem(
        at=click.clicked_at,
        kind="click",
        title="Clicked a link",
        detail=click.link.url,
        channel="web",
        origin="broadcast" if click.link.broadcast_id else "",
        status="",
        actor="",
        obj=click,
    )


def register() -> None:
    # Last in <profile>, after profiles' <integrations> (300), as in the seed.
    xml_parts.register(XmlPart("clicks", 400, "clicks", _click_rows, _clicks_xml))
    # After the profile's events and messaging's messages (10).
    feed_sources.register(FeedSource("clicks", 20, _feed_clicks, _click_item))
