"""Profile and group endpoints of the XML API (seed 004).

List All Profiles, Profile Summary, Profile Update, Profile OptOut, Profile Update
Attribute, Custom Column Value, List Groups, List Group Members, Create Group, Add Group
Member, Remove Group Member.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from lxml.etree import _Element as Element

from accounts.tenancy import Perm

from .api_services import (
    PROFILE_API_FIELDS,
    ProfileApiError,
    custom_field_clean,
    custom_fields_by_name,
    group_create,
    group_members_add,
    group_members_remove,
    profile_api_save,
    profile_field_clean,
)
from .apiframework import ApiCall, ApiError, api_endpoint, invalid, not_found, sub, success
from .apiframework.profile_xml import (
    ProfileParts,
    company_custom_fields,
    profile_element,
    profile_xml,
    profiles_with_details,
)
from .apiframework.xml import fmt_time, render_text, tag_text
from .models import CustomFieldValue, Group, OptOutSource, Profile
from .services import ProfileActionError, custom_value_set, profile_update
from .status import profiles_changed_between

# Parameters of profile_update that are not profile attributes or custom columns.
_PROTOCOL_PARAMS = {"company", "phone_number", "opt_in_path_id", "opt_in_path", "format"}
SAVE_BEHAVIORS = ("always_create", "create_if_key_value_not_exists")


def _profile_by_phone(call: ApiCall, name: str = "phone_number") -> Profile:
    e164 = call.params.phone_number(name)
    profile = Profile.objects.for_company(call.company).filter(phone_number=e164).first()
    if profile is None:
        raise not_found(5, f"no profile with phone number {e164.lstrip('+')}")
    return profile


def _write_error(error: ProfileApiError | ProfileActionError) -> ApiError:
    code = getattr(error, "code", 30)
    return ApiError(code, str(error), 400)


def render_profiles(
    parent: Element, call: ApiCall, profiles: QuerySet[Profile], parts: ProfileParts
) -> None:
    """Append one <profile> per row; a constant number of queries whatever the count."""
    fields = company_custom_fields(call.company, parts)
    for row in profiles_with_details(profiles, parts):
        profile_element(parent, row, custom_fields=fields, parts=parts)


def profile_response(call: ApiCall, found: Profile) -> Element:
    root = success()
    parts = ProfileParts.for_company(call.company)
    render_profiles(root, call, Profile.objects.filter(pk=found.pk), parts)
    return root


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def profiles(call: ApiCall) -> HttpResponse:
    """List All Profiles: `<profiles num page>`; no total count (the sample has none)."""
    p = call.params
    page = p.page(default_limit=1000)
    since, until = p.date_range()
    numbers = p.phone_numbers(required=False)
    parts = ProfileParts.for_company(
        call.company,
        custom_columns=p.flag("include_custom_columns", True),
        subscriptions=p.flag("include_subscriptions", True),
        clicks=p.flag("include_clicks", True),
        members=p.flag("include_members", True),
    )
    queryset = profiles_changed_between(
        Profile.objects.for_company(call.company), since=since, until=until
    )
    if numbers:
        queryset = queryset.filter(phone_number__in=numbers)
    fields = company_custom_fields(call.company, parts)
    rows = profiles_with_details(page.slice(queryset.order_by("id")), parts)
    # Written as text rather than elements: a page of 1,000 profiles is ~45,000 of them.
    body = "".join(profile_xml(row, custom_fields=fields, parts=parts) for row in rows)
    profiles_xml = tag_text("profiles", body, num=len(rows), page=page.number)
    return render_text(f'<response success="true">{profiles_xml}</response>')


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def profile(call: ApiCall) -> Element:
    """Profile Summary, optionally with its messages and donations."""
    found = _profile_by_phone(call)
    include_messages = call.params.flag("include_messages", False)
    include_donations = call.params.flag("include_donations", False)
    root = profile_response(call, found)
    element = root.find("profile")
    assert element is not None
    if include_messages:
        from messaging.api import message_summary_element

        container = sub(element, "messages")
        for message in found.messages.select_related("campaign").order_by("-created_at")[:100]:
            message_summary_element(container, message)
    if include_donations:
        container = sub(element, "donations")
        for donation in found.donations.select_related("fundraising").order_by("-donated_at"):
            d = sub(container, "donation", id=donation.pk, status=donation.status)
            sub(d, "amount", donation.amount)
            sub(d, "description", donation.description)
            sub(d, "fundraising", donation.fundraising.name, id=donation.fundraising_id)
            sub(d, "donated_at", fmt_time(donation.donated_at))
    return root


@api_endpoint(methods=["POST"], perm=Perm.EDIT_PROFILE)
def profile_update_view(call: ApiCall) -> Element:
    """Profile Update: create or update; custom columns by name; opt_in_path_id subscribes.

    Anti-spam (seed 004): a number is opted into a campaign through the API once only.
    If it has any subscription to that campaign, active or opted out, nothing is
    subscribed and no welcome message goes out; its status stays as it is.
    """
    from campaigns.api import opt_in_path_for, subscribe_once

    p = call.params
    e164 = p.phone_number()
    fields: dict[str, str] = {}
    custom: dict = {}
    by_name = custom_fields_by_name(call.company)
    try:
        for name in p.names():
            if name in _PROTOCOL_PARAMS:
                continue
            value = p.get(name)
            if name in PROFILE_API_FIELDS:
                if value:
                    fields[name] = profile_field_clean(name, value)
            elif name.lower() in by_name and value:
                field = by_name[name.lower()]
                custom[field] = custom_field_clean(field, value)
    except ProfileApiError as error:
        raise _write_error(error) from None
    path = opt_in_path_for(call, p.get("opt_in_path_id") or p.get("opt_in_path"))
    try:
        with transaction.atomic():
            saved, _ = profile_api_save(
                company=call.company,
                e164=e164,
                actor=call.user,
                fields=fields,
                custom_values=custom,
            )
            if path is not None:
                subscribe_once(call, saved, path)
    except (ProfileApiError, ProfileActionError) as error:
        raise _write_error(error) from None
    saved.refresh_from_db()
    return profile_response(call, saved)


@api_endpoint(methods=["POST"], perm=Perm.OPT_OUT_ONE)
def profile_opt_out(call: ApiCall) -> Element:
    """Profile OptOut: every campaign (default), one campaign, or one subscription."""
    from campaigns.models import Campaign, Subscription
    from campaigns.services import profile_opt_out as opt_out

    found = _profile_by_phone(call)
    campaign = subscription = None
    campaign_id = call.params.integer("campaign_id", 1)
    subscription_id = call.params.integer("subscription_id", 16)
    if campaign_id is not None:
        campaign = Campaign.objects.for_company(call.company).filter(pk=campaign_id).first()
        if campaign is None:
            raise not_found(1, str(campaign_id))
    if subscription_id is not None:
        subscription = Subscription.objects.filter(pk=subscription_id, profile=found).first()
        if subscription is None:
            raise not_found(16, f"this profile has no subscription {subscription_id}")
    opt_out(
        profile=found,
        source=OptOutSource.API,
        campaign=campaign,
        subscription=subscription,
        actor=call.user,
    )
    found.refresh_from_db()
    return profile_response(call, found)


@api_endpoint(methods=["POST"], perm=Perm.EDIT_PROFILE)
def profile_update_attribute(call: ApiCall) -> Element:
    """Set one attribute of an existing profile, following `save_behavior`.

    always_create: store the value (replacing any). create_if_key_value_not_exists:
    store it only when the attribute has no value yet. The number must exist.
    """
    p = call.params
    found = _profile_by_phone(call)
    attribute = p.required("attribute", 30)
    raw = p.get("attribute_value")
    if not raw:
        raise invalid(30, "attribute_value is required")
    behavior = p.get("save_behavior")
    if behavior not in SAVE_BEHAVIORS:
        raise invalid(29, "save_behavior must be always_create or create_if_key_value_not_exists")
    only_if_empty = behavior == "create_if_key_value_not_exists"
    try:
        with transaction.atomic():
            if attribute in PROFILE_API_FIELDS:
                value = profile_field_clean(attribute, raw)
                if not (only_if_empty and getattr(found, attribute)):
                    profile_update(profile=found, actor=call.user, data={attribute: value})
            else:
                field = custom_fields_by_name(call.company).get(attribute.lower())
                if field is None:
                    raise ProfileApiError(30, f"no attribute or custom column named {attribute!r}")
                value = custom_field_clean(field, raw)
                exists = CustomFieldValue.objects.filter(profile=found, field=field).exists()
                if not (only_if_empty and exists):
                    custom_value_set(profile=found, field=field, raw=value, actor=call.user)
    except (ProfileApiError, ProfileActionError) as error:
        raise _write_error(error) from None
    found.refresh_from_db()
    return profile_response(call, found)


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def custom_column_value(call: ApiCall) -> Element:
    found = _profile_by_phone(call)
    key = call.params.required("key")
    field = custom_fields_by_name(call.company).get(key.lower())
    if field is None:
        raise invalid(16, f"no custom column named {key[:60]!r}")
    value = (
        CustomFieldValue.objects.filter(profile=found, field=field)
        .values_list("value", flat=True)
        .first()
    )
    root = success()
    sub(root, "value", value)
    return root


# --- Groups ---------------------------------------------------------------------------


def _group(call: ApiCall) -> Group:
    group_id = call.params.integer("group_id", 6, required=True)
    group = Group.objects.for_company(call.company).filter(pk=group_id).first()
    if group is None:
        raise not_found(6, str(group_id))
    return group


def _group_element(parent: Element, group: Group) -> Element:
    return sub(parent, "group", id=group.pk, type=group.kind, name=group.name)


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def groups(call: ApiCall) -> Element:
    from campaigns.selectors import group_list

    page = call.params.page(default_limit=1000)
    rows = list(page.slice(group_list(company=call.company).order_by("name", "id")))
    root = success()
    container = sub(root, "groups", page=page.number, limit=page.limit, num=len(rows))
    for group in rows:
        element = sub(container, "group", id=group.pk, type=group.kind, status="active")
        sub(element, "name", group.name)
        # A filtered group's size depends on its saved search; counting it here would
        # run every saved search on each call, so only uploaded groups report a size.
        sub(element, "size", group.uploaded_count if group.kind == Group.Kind.UPLOADED else None)
        sub(element, "created_at", fmt_time(group.created_at))
    return root


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def group_members(call: ApiCall) -> Element:
    from campaigns.selectors import group_members as members_of

    group = _group(call)
    page = call.params.page(default_limit=1000)
    since, until = call.params.date_range()
    queryset = profiles_changed_between(members_of(group=group), since=since, until=until)
    parts = ProfileParts.for_company(call.company)
    fields = company_custom_fields(call.company, parts)
    root = success()
    element = _group_element(root, group)
    for member in profiles_with_details(page.slice(queryset), parts):
        profile_element(element, member, custom_fields=fields, parts=parts)
    return root


@api_endpoint(methods=["GET", "POST"], perm=Perm.MANAGE)
def create_group(call: ApiCall) -> Element:
    name = call.params.required("name", 18)
    try:
        group = group_create(company=call.company, name=name, actor=call.user)
    except ProfileApiError as error:
        raise _write_error(error) from None
    root = success()
    _group_element(root, group)
    return root


@api_endpoint(methods=["GET", "POST"], perm=Perm.MANAGE)
def add_group_member(call: ApiCall) -> Element:
    group = _group(call)
    numbers = call.params.phone_numbers(strict=False)
    try:
        group_members_add(group=group, numbers=numbers, actor=call.user)
    except ProfileApiError as error:
        raise _write_error(error) from None
    root = success()
    _group_element(root, group)
    return root


@api_endpoint(methods=["GET", "POST"], perm=Perm.MANAGE)
def remove_group_member(call: ApiCall) -> Element:
    group = _group(call)
    numbers = call.params.phone_numbers()
    try:
        group_members_remove(group=group, numbers=numbers, actor=call.user)
    except ProfileApiError as error:
        raise _write_error(error) from None
    root = success()
    _group_element(root, group)
    return root
