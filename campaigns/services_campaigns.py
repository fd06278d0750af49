"""Campaign set-up by admins: campaigns, their opt-in paths, keywords and tags."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Company
from core.errors import ServiceError
from core.text_rules import TextError, name_clean, text_clean
from profiles.models import Profile

from .compose import MessageBodyError, body_validate
from .models import Campaign, Keyword, OptInPath, Tag


class CampaignError(ServiceError, ValueError):
    """A campaign change the rules refuse; the message is for the user.

    `field` names the form field at fault when there is one (a text whose merge field
    does not exist), so the page shows the error beside it.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _check_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise CampaignError(f"Unknown time zone {name!r}.") from exc
    return name


def _name(value: str, *, field: str) -> str:
    """A name under the text rule (core.text_rules): controls refused, bidi stripped."""
    try:
        return name_clean(value, field=field).strip()
    except TextError as error:
        raise CampaignError(str(error)) from None


def _auto_text(value: str, *, field: str, company: Company, form_field: str | None = None) -> str:
    """A text the platform sends by itself (HELP reply, opt-out confirmation, welcome).

    It passes the send rule (messaging.services.body_check) and names only merge fields
    the company has (campaigns.compose.body_validate) when it is saved, so an opt-out or
    a HELP never meets a reply that cannot be sent.
    """
    value = value.strip()
    if value:
        try:
            body_validate(value, company=company)
        except MessageBodyError as error:
            raise CampaignError(f"{field}: {error}", field=form_field) from None
    return value


def _description(value: str) -> str:
    try:
        return text_clean(value, field="The description", multiline=True).strip()
    except TextError as error:
        raise CampaignError(str(error)) from None


def _channel(company_id: int, channel):
    """A messaging.Channel the campaign may send from: the company's own, active."""
    if channel is not None and (channel.company_id != company_id or not channel.active):
        raise CampaignError("Choose one of your active sending numbers.")
    return channel


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
    channel=None,
) -> Campaign:
    name = _name(name, field="The campaign name")
    if not name:
        raise CampaignError("A campaign needs a name.")
    campaign = Campaign(
        company=company,
        name=name,
        description=_description(description),
        timezone=_check_zone(timezone_name),
        help_text=_auto_text(help_text, field="HELP reply", company=company),
        channel=_channel(company.pk, channel),
    )
    if opt_out_text.strip():
        campaign.opt_out_text = _auto_text(
            opt_out_text, field="Opt-out confirmation", company=company
        )
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
    channel=None,
) -> Campaign:
    name = _name(name, field="The campaign name")
    if not name:
        raise CampaignError("A campaign needs a name.")
    campaign.channel = _channel(campaign.company_id, channel)
    campaign.name = name
    campaign.description = _description(description)
    campaign.timezone = _check_zone(timezone_name)
    company = campaign.company
    campaign.help_text = _auto_text(help_text, field="HELP reply", company=company)
    campaign.opt_out_text = _auto_text(opt_out_text, field="Opt-out confirmation", company=company)
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
    name = _name(name, field="The opt-in path name")
    if not name:
        raise CampaignError("An opt-in path needs a name.")
    path = OptInPath.objects.create(
        company_id=campaign.company_id,
        campaign=campaign,
        name=name,
        welcome_message=_auto_text(
            welcome_message, field="Welcome message", company=campaign.company
        ),
    )
    tags_set(obj=path, names=tags)
    return path


_CAMPAIGN_CHANNEL = object()


@transaction.atomic
def keyword_create(*, opt_in_path: OptInPath, name: str, channel=_CAMPAIGN_CHANNEL) -> Keyword:
    """A keyword of the opt-in path, answering on `channel` (a messaging.Channel).

    By default on the number the campaign sends from, or on every number of the company
    when the campaign has none; `channel=None` asks for every number. One number gives
    one word one meaning: the word may not be active on that number already, nor
    company-wide; a company-wide word may not be on any of the company's numbers.
    """
    word = _name(name, field="The keyword").upper()
    if not word or " " in word or "\t" in word:
        raise CampaignError("A keyword is one word, like JOIN.")
    campaign = opt_in_path.campaign
    if not campaign.active:
        raise CampaignError("The campaign has ended.")
    if channel is _CAMPAIGN_CHANNEL:
        channel = campaign.channel
    channel = _channel(opt_in_path.company_id, channel)
    # One keyword change of a company at a time: the rule spans rows no index covers.
    Company.objects.select_for_update().filter(pk=opt_in_path.company_id).first()
    same_word = Keyword.objects.filter(company_id=opt_in_path.company_id, name=word, active=True)
    clash = same_word if channel is None else same_word.filter(channel__isnull=True)
    taken = clash.select_related("channel").first()
    if taken is not None:
        where = "all your numbers" if taken.channel is None else taken.channel.number
        raise CampaignError(f"The keyword {word} is already in use on {where}.")
    try:
        with transaction.atomic():
            return Keyword.objects.create(
                company_id=opt_in_path.company_id,
                opt_in_path=opt_in_path,
                name=word,
                channel=channel,
            )
    except IntegrityError as exc:
        raise CampaignError(f"The keyword {word} is already in use.") from exc


@transaction.atomic
def keyword_end(*, keyword: Keyword) -> Keyword:
    keyword.active = False
    keyword.ended_at = timezone.now()
    keyword.save(update_fields=["active", "ended_at", "updated_at"])
    return keyword
