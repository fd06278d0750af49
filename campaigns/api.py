"""Campaign, keyword, subscriber, broadcast, donation and tag endpoints (seed 004)."""

import logging
from decimal import Decimal
from typing import Literal, overload

from django.db.models import Count, Q, Sum
from lxml.etree import _Element as Element

from accounts.tenancy import Perm
from api import (
    ApiCall,
    ApiError,
    ErrorCodes,
    api_endpoint,
    api_error_for,
    invalid,
    not_found,
    sub,
    success,
)
from api.xml import fmt_time
from profiles.models import Profile

from .broadcast_rules import (
    BroadcastBodyError,
    BroadcastCampaignError,
    BroadcastError,
    BroadcastGroupError,
    BroadcastNameError,
    BroadcastStateError,
    BroadcastTemplateError,
    BroadcastTimeError,
)
from .messaging_port import messaging_port
from .models import (
    Broadcast,
    Campaign,
    Donation,
    Fundraising,
    Keyword,
    OptInPath,
    Subscription,
    Tag,
)

log = logging.getLogger(__name__)


@overload
def _campaign(call: ApiCall, *, required: Literal[True] = True) -> Campaign: ...
@overload
def _campaign(call: ApiCall, *, required: bool) -> Campaign | None: ...
def _campaign(call: ApiCall, *, required: bool = True) -> Campaign | None:
    campaign_id = call.params.integer("campaign_id", 1, required=required)
    if campaign_id is None:
        return None
    campaign = Campaign.objects.for_company(call.company).filter(pk=campaign_id).first()
    if campaign is None:
        raise not_found(1, str(campaign_id))
    return campaign


def _campaign_ref(parent: Element, campaign: Campaign | None) -> None:
    if campaign is None:
        sub(parent, "campaign")
        return
    element = sub(parent, "campaign", id=campaign.pk, active=campaign.active)
    sub(element, "name", campaign.name)


# --- Opt-in through the API (Profile Update's opt_in_path_id) -------------------------


def opt_in_path_for(call: ApiCall, raw: str) -> OptInPath | None:
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise invalid(19, f"{raw[:40]!r}")
    path = (
        OptInPath.objects.for_company(call.company)
        .select_related("campaign")
        .filter(pk=int(raw))
        .first()
    )
    if path is None:
        raise not_found(19, raw)
    if not path.active or not path.campaign.active:
        raise invalid(19, f"opt-in path {raw} or its campaign is not active")
    return path


def subscribe_once(call: ApiCall, profile: Profile, path: OptInPath) -> Subscription | None:
    """Opt a profile in through `path` and run its flow, unless the subscription rule
    refuses it.

    Seed 004's anti-spam rule: the API opts a number into a campaign once only. Any
    earlier subscription to the campaign (active, pending or opted out) or earlier
    double opt-in request means no new subscription, no flow message, and an
    unchanged status. The API is not an explicit opt-in from the subscriber, so it
    cannot lift their opt-out either. Both are the eligibility rule's
    (campaigns.eligibility: `via_api` is its once-only rule, and the API is not the
    subscriber asking); a refusal is not an API error (the seed answers with the
    profile as it is), so it is logged with its reason. Otherwise "all opt-in path
    settings apply": the welcome and the steps, or the double opt-in's request.
    """
    from .services_subscriptions import SubscriptionRefused

    campaign = path.campaign
    source = call.user.get_full_name() or call.user.get_username()
    try:
        # The flow sends (the welcome, the steps or the request), so it is messaging's.
        subscription, _ = messaging_port().path_opt_in_via_api(
            company=call.company, profile=profile, path=path, source=source, actor=call.user
        )
    except SubscriptionRefused as refused:
        log.info("API opt-in of profile %s to %s refused: %s", profile.pk, campaign.pk, refused)
        return None
    return subscription


# --- Campaigns and keywords -----------------------------------------------------------


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def campaigns(call: ApiCall) -> Element:
    p = call.params
    include_paths = p.flag("include_opt_in_paths", False)
    sort = p.get("sort", "asc").lower()
    if sort not in ("asc", "desc"):
        raise invalid(16, "sort must be asc or desc")
    status = p.get("status").lower()
    if status not in ("", "active", "ended"):
        raise invalid(16, "status must be active or ended")
    queryset = Campaign.objects.for_company(call.company).prefetch_related("tags")
    if status:
        queryset = queryset.filter(active=status == "active")
    campaign_id = p.get("campaign_id")
    # Seed 004: an invalid campaign id returns all campaigns.
    if (
        campaign_id.isascii()
        and campaign_id.isdigit()
        and len(campaign_id) <= 18
        and queryset.filter(pk=int(campaign_id)).exists()
    ):
        queryset = queryset.filter(pk=int(campaign_id))
    if include_paths:
        queryset = queryset.prefetch_related("opt_in_paths__keywords")
    root = success()
    container = sub(root, "campaigns")
    for campaign in queryset.order_by("id" if sort == "asc" else "-id"):
        element = sub(container, "campaign", id=campaign.pk, active=campaign.active)
        sub(element, "name", campaign.name)
        sub(element, "description", campaign.description)
        sub(element, "created_at", fmt_time(campaign.created_at))
        sub(element, "updated_at", fmt_time(campaign.updated_at))
        sub(element, "ended_at", fmt_time(campaign.ended_at))
        tags = sub(element, "tags")
        for tag in campaign.tags.all():
            sub(tags, "tag", tag.name)
        if include_paths:
            paths = sub(element, "opt_in_paths")
            for path in sorted(campaign.opt_in_paths.all(), key=lambda x: x.pk):
                path_el = sub(paths, "opt_in_path", id=path.pk, active=path.active)
                sub(path_el, "name", path.name)
                sub(path_el, "welcome_message", path.welcome_message)
                keywords = sub(path_el, "keywords")
                for keyword in path.keywords.all():
                    sub(keywords, "keyword", keyword.name, id=keyword.pk, active=keyword.active)
                sub(path_el, "created_at", fmt_time(path.created_at))
    return root


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def keywords(call: ApiCall) -> Element:
    root = success()
    container = sub(root, "keywords")
    for keyword in Keyword.objects.for_company(call.company).order_by("id"):
        element = sub(container, "keyword", id=keyword.pk, active=keyword.active)
        sub(element, "name", keyword.name)
        sub(element, "opt_in_path_id", keyword.opt_in_path_id)
        sub(element, "ended_at", fmt_time(keyword.ended_at))
        sub(element, "created_at", fmt_time(keyword.created_at))
        sub(element, "updated_at", fmt_time(keyword.updated_at))
    return root


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def campaign_subscribers(call: ApiCall) -> Element:
    """Subscriptions of a campaign; `<id>` is the subscription id (profile_opt_out takes it)."""
    p = call.params
    campaign = _campaign(call)
    page = p.page(default_limit=1000)
    since, until = p.date_range()
    queryset = Subscription.objects.filter(campaign=campaign)
    path_id = p.integer("opt_in_path_id", 19)
    if path_id is not None:
        queryset = queryset.filter(opt_in_path_id=path_id)
    if since:
        queryset = queryset.filter(activated_at__gte=since)
    if until:
        queryset = queryset.filter(activated_at__lte=until)
    rows = list(
        page.slice(
            queryset.order_by("id").values_list(
                "pk", "profile__phone_number", "activated_at", "opted_out_at"
            )
        )
    )
    root = success()
    container = sub(root, "subscriptions", num=len(rows), page=page.number)
    for pk, phone, activated_at, opted_out_at in rows:
        element = sub(container, "sub")
        sub(element, "id", pk)
        sub(element, "phone_number", phone.lstrip("+"))
        sub(element, "activated_at", fmt_time(activated_at))
        sub(element, "opted_out_at", fmt_time(opted_out_at))
    return root


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def campaign_opted_in(call: ApiCall) -> Element:
    campaign = _campaign(call)
    e164 = call.params.phone_number()
    opted_in = Subscription.objects.filter(
        campaign=campaign,
        profile__company=call.company,
        profile__phone_number=e164,
        status=Subscription.Status.ACTIVE,
    ).exists()
    root = success()
    sub(root, "result", opted_in)
    return root


# --- Broadcasts -----------------------------------------------------------------------


def broadcast_element(parent: Element, broadcast: Broadcast) -> Element:
    element = sub(parent, "broadcast", id=broadcast.pk, status=broadcast.status)
    sub(element, "name", broadcast.name)
    sub(element, "body", broadcast.body)
    _campaign_ref(element, broadcast.campaign)
    sub(element, "delivery_time", fmt_time(broadcast.delivery_time))
    sub(element, "include_subscribers", broadcast.include_subscribers)
    sub(element, "throttled", broadcast.throttled)
    sub(element, "localtime", broadcast.localtime)
    sub(element, "automated", broadcast.automated)
    sub(element, "estimated_recipients_count", broadcast.estimated_recipients_count)
    sub(element, "replies_count", broadcast.replies_count)
    sub(element, "opt_outs_count", broadcast.opt_outs_count)
    for name, groups in (
        ("included_groups", broadcast.included_groups.all()),
        ("excluded_groups", broadcast.excluded_groups.all()),
    ):
        container = sub(element, name)
        for group in groups:
            sub(container, "group", name=group.name, id=group.pk, type=group.kind)
    tags = sub(element, "tags")
    for tag in broadcast.tags.all():
        sub(tags, "tag", tag.name)
    return element


def _broadcast(call: ApiCall) -> Broadcast:
    broadcast_id = call.params.integer("broadcast_id", 22, required=True)
    broadcast = (
        Broadcast.objects.for_company(call.company)
        .select_related("campaign")
        .filter(pk=broadcast_id)
        .first()
    )
    if broadcast is None:
        raise not_found(22, str(broadcast_id))
    return broadcast


def _with_details(queryset):
    return queryset.select_related("campaign").prefetch_related(
        "included_groups", "excluded_groups", "tags"
    )


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def broadcasts(call: ApiCall) -> Element:
    from .selectors import broadcast_list

    p = call.params
    page = p.page(default_limit=100)
    status = p.get("status").lower()
    if status and status not in Broadcast.Status.values:
        raise invalid(16, f"status must be one of {', '.join(Broadcast.Status.values)}")
    campaign = _campaign(call, required=False)
    queryset = broadcast_list(
        company=call.company, status=status, campaign_id=campaign.pk if campaign else None
    )
    total = queryset.count()
    root = success()
    page_count = max(1, -(-total // page.limit))
    container = sub(root, "broadcasts", page=page.number, limit=page.limit, page_count=page_count)
    for broadcast in _with_details(page.slice(queryset)):
        broadcast_element(container, broadcast)
    return root


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def broadcast(call: ApiCall) -> Element:
    found = _broadcast(call)
    root = success()
    broadcast_element(root, _with_details(Broadcast.objects.filter(pk=found.pk)).get())
    return root


# Seed 004's codes for the part of a broadcast at fault; a refusal of another kind
# (throttling below 1 a minute) takes its kind's code.
BROADCAST_ERROR_CODES: ErrorCodes = {
    BroadcastCampaignError: 1,
    BroadcastTimeError: 2,
    BroadcastBodyError: 3,
    BroadcastGroupError: 6,
    BroadcastTemplateError: 13,
    BroadcastNameError: 18,
    BroadcastStateError: 23,
}


def broadcast_api_error(error: BroadcastError) -> ApiError:
    """The API's answer to a refused broadcast change (a group of another company is
    one this company cannot see: 404, by its kind)."""
    return api_error_for(error, BROADCAST_ERROR_CODES)


def _broadcast_done(broadcast_obj: Broadcast) -> Element:
    root = success()
    sub(root, "broadcast", id=broadcast_obj.pk)
    return root


@api_endpoint(methods=["POST"], perm=Perm.BROADCAST)
def schedule_broadcast(call: ApiCall) -> Element:
    """Send Broadcast to Campaign Subscribers: now, or at `time` (ISO-8601, UTC default)."""
    from .broadcasts import broadcast_create

    p = call.params
    campaign = _campaign(call)
    body = p.raw("body") or ""
    if not body.strip():
        raise invalid(3, "body is required")
    when = p.moment("time", 2)
    try:
        created = broadcast_create(
            campaign=campaign,
            body=body,
            name=p.get("name"),
            actor=call.user,
            schedule_at=when or "now",
        )
    except BroadcastError as error:
        raise broadcast_api_error(error) from None
    return _broadcast_done(created)


@api_endpoint(methods=["POST"], perm=Perm.BROADCAST)
def reschedule_broadcast(call: ApiCall) -> Element:
    from .broadcasts import broadcast_reschedule

    found = _broadcast(call)
    when = call.params.moment("time", 2)
    try:
        broadcast_reschedule(broadcast=found, delivery_time=when)
    except BroadcastError as error:
        raise broadcast_api_error(error) from None
    return _broadcast_done(found)


@api_endpoint(methods=["POST"], perm=Perm.BROADCAST)
def unschedule_broadcast(call: ApiCall) -> Element:
    from .broadcasts import broadcast_unschedule

    found = _broadcast(call)
    try:
        broadcast_unschedule(broadcast=found)
    except BroadcastError as error:
        raise broadcast_api_error(error) from None
    return _broadcast_done(found)


# --- Donations ------------------------------------------------------------------------


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def donation_summary(call: ApiCall) -> Element:
    p = call.params
    fundraising_id = p.integer("fundraising_id", 12, required=True)
    fundraising = Fundraising.objects.for_company(call.company).filter(pk=fundraising_id).first()
    if fundraising is None:
        raise not_found(12, str(fundraising_id))
    since, until = p.date_range("start_time", "end_time", 7, 8)
    donations = Donation.objects.filter(fundraising=fundraising)
    if since:
        donations = donations.filter(donated_at__gte=since)
    if until:
        donations = donations.filter(donated_at__lte=until)
    totals = donations.aggregate(
        **{
            f"{status}_{kind}": agg("amount" if kind == "amount" else "pk", filter=Q(status=status))
            for status in (Donation.Status.ACCEPTED, Donation.Status.PENDING)
            for kind, agg in (("count", Count), ("amount", Sum))
        }
    )
    root = success()
    summary = sub(
        root,
        "donation_summary",
        name=fundraising.name,
        start_time=since.strftime("%Y-%m-%d %H:%M:%S") if since else "",
        end_time=until.strftime("%Y-%m-%d %H:%M:%S") if until else "",
    )
    for status in (Donation.Status.ACCEPTED, Donation.Status.PENDING):
        amount = totals[f"{status}_amount"] or Decimal(0)
        sub(summary, status, count=totals[f"{status}_count"], amount=amount)
    return root


# --- Tags -----------------------------------------------------------------------------

_TAGGABLE: dict[str, tuple[str, type[Campaign] | type[Broadcast] | type[OptInPath], int]] = {
    "campaign": ("campaign_id", Campaign, 1),
    "broadcast": ("broadcast_id", Broadcast, 22),
    "opt_in_path": ("opt_in_path_id", OptInPath, 19),
}


def _tag_targets(call: ApiCall) -> list:
    """The objects named by campaign_id, broadcast_id and opt_in_path_id (single or arrays)."""
    targets = []
    for param, model, code in _TAGGABLE.values():
        ids = call.params.integers(param, code)
        if not ids:
            continue
        if len(ids) > 1000:
            raise invalid(33, f"at most 1000 {param} values per call")
        found = {o.pk: o for o in model.objects.for_company(call.company).filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise not_found(code, ", ".join(map(str, missing[:10])))
        targets += list(found.values())
    if not targets:
        raise invalid(33, "give at least one campaign_id, broadcast_id or opt_in_path_id")
    return targets


def _tag_name(call: ApiCall) -> str:
    name = call.params.get("tag")
    if not name or len(name) > 100:
        raise invalid(32, "tag must have 1 to 100 characters")
    return name


def tag_element(parent: Element, tag: Tag) -> Element:
    element = sub(parent, "tag", id=tag.pk, name=tag.name)
    for name, related in (
        ("campaigns", tag.campaigns.all()),
        ("broadcasts", tag.broadcasts.all()),
        ("opt_in_paths", tag.opt_in_paths.all()),
    ):
        container = sub(element, name)
        for obj in related:
            sub(container, name.removesuffix("s"), obj.name, id=obj.pk)
    return element


@api_endpoint(methods=["GET", "POST"], perm=Perm.MANAGE)
def add_tag(call: ApiCall) -> Element:
    from .services_tags import tag_attach

    name = _tag_name(call)
    tag = tag_attach(company=call.company, name=name, targets=_tag_targets(call))
    root = success()
    tag_element(root, tag)
    return root


@api_endpoint(methods=["GET", "POST"], perm=Perm.MANAGE)
def remove_tag(call: ApiCall) -> Element:
    from .services_tags import tag_detach

    name = _tag_name(call)
    targets = _tag_targets(call)
    tag = Tag.objects.for_company(call.company).filter(name=name).first()
    if tag is None:
        raise not_found(32, name[:60])
    tag_detach(tag=tag, targets=targets)
    root = success()
    tag_element(root, tag)
    return root


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def tags(call: ApiCall) -> Element:
    p = call.params
    queryset = Tag.objects.for_company(call.company).prefetch_related(
        "campaigns", "broadcasts", "opt_in_paths"
    )
    kind = p.get("type").lower()
    if kind == "mconnect" or p.get("mconnect_id"):
        queryset = queryset.none()  # the product has no mConnects, so nothing is tagged
    elif kind:
        if kind not in _TAGGABLE:
            raise invalid(33, "type must be campaign, broadcast, opt_in_path or mconnect")
        queryset = queryset.filter(**{f"{kind}s__isnull": False})
    for kind_name, (param, _model, code) in _TAGGABLE.items():
        object_id = p.integer(param, code)
        if object_id is not None:
            queryset = queryset.filter(**{f"{kind_name}s__id": object_id})
    tag_id = p.integer("tag_id", 33)
    if tag_id is not None:
        queryset = queryset.filter(pk=tag_id)
    if p.get("tag"):
        queryset = queryset.filter(name=p.get("tag"))
    root = success()
    container = sub(root, "tags")
    for tag in queryset.distinct().order_by("name"):
        tag_element(container, tag)
    return root
