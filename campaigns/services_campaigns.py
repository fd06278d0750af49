"""Campaign set-up by admins: campaigns, their opt-in paths, keywords and tags."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from profiles.models import Company, Profile

from .models import Campaign, Keyword, OptInPath, Tag


class CampaignError(ValueError):
    """A campaign change the rules refuse; the message is for the user."""


def _check_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise CampaignError(f"Unknown time zone {name!r}.") from exc
    return name


def tags_set(*, obj: Campaign | OptInPath, names: Iterable[str]) -> None:
    tags = []
    for name in sorted({n.strip() for n in names if n and n.strip()}):
        tag, _ = Tag.objects.get_or_create(company_id=obj.company_id, name=name[:100])
        tags.append(tag)
    obj.tags.set(tags)


@transaction.atomic
def campaign_create(
    *,
    company: Company,
    name: str,
    description: str = "",
    timezone_name: str = "America/New_York",
    help_text: str = "",
    opt_out_text: str = "",
    tags: Iterable[str] = (),
) -> Campaign:
    if not name.strip():
        raise CampaignError("A campaign needs a name.")
    campaign = Campaign(
        company=company,
        name=name.strip(),
        description=description.strip(),
        timezone=_check_zone(timezone_name),
        help_text=help_text.strip(),
    )
    if opt_out_text.strip():
        campaign.opt_out_text = opt_out_text.strip()
    campaign.save()
    tags_set(obj=campaign, names=tags)
    return campaign


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    name: str,
    description: str,
    timezone_name: str,
    help_text: str,
    opt_out_text: str,
    tags: Iterable[str],
) -> Campaign:
    if not name.strip():
        raise CampaignError("A campaign needs a name.")
    campaign.name = name.strip()
    campaign.description = description.strip()
    campaign.timezone = _check_zone(timezone_name)
    campaign.help_text = help_text.strip()
    campaign.opt_out_text = opt_out_text.strip()
    campaign.save()
    tags_set(obj=campaign, names=tags)
    return campaign


@transaction.atomic
def campaign_end(*, campaign: Campaign) -> Campaign:
    """End a campaign: no new broadcasts, its keywords stop opting people in.

    Subscriptions stay as history; subscribers count as former subscribers (the
    profile status rule only counts active subscriptions to active campaigns).
    """
    from profiles.status import profile_refresh_status

    from .models import Broadcast, Subscription

    if not campaign.active:
        return campaign
    pending = campaign.broadcasts.filter(
        status__in=[Broadcast.Status.GENERATED, Broadcast.Status.SENDING]
    )
    if pending.exists():
        raise CampaignError("A broadcast of this campaign is being sent; end it afterwards.")
    now = timezone.now()
    campaign.active = False
    campaign.ended_at = now
    campaign.save(update_fields=["active", "ended_at", "updated_at"])
    campaign.broadcasts.filter(status=Broadcast.Status.SCHEDULED).update(
        status=Broadcast.Status.DRAFT
    )
    Keyword.objects.filter(opt_in_path__campaign=campaign, active=True).update(
        active=False, ended_at=now
    )
    subscribers = Subscription.objects.filter(campaign=campaign).values("profile_id")
    profile_refresh_status(profiles=Profile.objects.filter(pk__in=subscribers))
    return campaign


@transaction.atomic
def opt_in_path_create(
    *, campaign: Campaign, name: str, welcome_message: str = "", tags: Iterable[str] = ()
) -> OptInPath:
    if not name.strip():
        raise CampaignError("An opt-in path needs a name.")
    path = OptInPath.objects.create(
        company_id=campaign.company_id,
        campaign=campaign,
        name=name.strip(),
        welcome_message=welcome_message.strip(),
    )
    tags_set(obj=path, names=tags)
    return path


@transaction.atomic
def keyword_create(*, opt_in_path: OptInPath, name: str) -> Keyword:
    word = name.strip().upper()
    if not word or " " in word:
        raise CampaignError("A keyword is one word, like JOIN.")
    if not opt_in_path.campaign.active:
        raise CampaignError("The campaign has ended.")
    try:
        with transaction.atomic():
            return Keyword.objects.create(
                company_id=opt_in_path.company_id, opt_in_path=opt_in_path, name=word
            )
    except IntegrityError as exc:
        raise CampaignError(f"The keyword {word} is already in use.") from exc


@transaction.atomic
def keyword_end(*, keyword: Keyword) -> Keyword:
    keyword.active = False
    keyword.ended_at = timezone.now()
    keyword.save(update_fields=["active", "ended_at", "updated_at"])
    return keyword
