"""Profile endpoints of the XML API (seed 004).

List All Profiles, Profile Summary, Profile Update Attribute, Custom Column Value.
Profile Update (which may subscribe), Profile OptOut and the group endpoints are
campaigns' (campaigns/api_profiles.py, campaigns/api_groups.py).
"""

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
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
from api.xml import render_text, tag_text
from core.errors import ServiceError

from .creation import ProfileSuppressed
from .extensions import summary_parts
from .models import CustomFieldValue, Profile
from .profile_xml import (
    ProfileParts,
    company_custom_fields,
    profile_element,
    profile_xml,
    profiles_with_details,
)
from .services import ProfileActionError, custom_value_set, profile_update
from .services_attributes import (
    PROFILE_API_FIELDS,
    PhoneNumberError,
    ProfileValueError,
    custom_field_clean,
    custom_fields_by_name,
    profile_field_clean,
)
from .services_groups import GroupError, GroupNameError
from .status import profiles_changed_between

SAVE_BEHAVIORS = ("always_create", "create_if_key_value_not_exists")


def profile_by_phone(call: ApiCall, name: str = "phone_number") -> Profile:
    e164 = call.params.phone_number(name)
    profile = Profile.objects.for_company(call.company).filter(phone_number=e164).first()
    if profile is None:
        raise not_found(5, f"no profile with phone number {e164.lstrip('+')}")
    return profile


# Seed 004's codes for refused profile and group writes. Any other refused profile
# change (a value profile_update or custom_value_set refuses) is an invalid attribute.
PROFILE_ERROR_CODES: ErrorCodes = {
    ProfileValueError: 30,
    ProfileActionError: 30,
    PhoneNumberError: 5,
    ProfileSuppressed: (5, 400),
    GroupNameError: 18,
    GroupError: (6, 400),
}


def write_error(error: ServiceError) -> ApiError:
    """The API's answer to a refused profile or group write: the service's message as
    is (these endpoints have always answered with it alone)."""
    return api_error_for(error, PROFILE_ERROR_CODES, prefixed=False)


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
    """Profile Summary, optionally with its messages and donations.

    The messages and donations are messaging's and campaigns' (layers above profiles),
    added by the parts those apps register (profiles.extensions.summary_parts).
    """
    found = profile_by_phone(call)
    wanted = [part for part in summary_parts if call.params.flag(part.flag, False)]
    root = profile_response(call, found)
    element = root.find("profile")
    assert element is not None
    for part in wanted:
        part.add(element, found)
    return root


@api_endpoint(methods=["POST"], perm=Perm.EDIT_PROFILE)
def profile_update_attribute(call: ApiCall) -> Element:
    """Set one attribute of an existing profile, following `save_behavior`.

    always_create: store the value (replacing any). create_if_key_value_not_exists:
    store it only when the attribute has no value yet. The number must exist.
    """
    p = call.params
    found = profile_by_phone(call)
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
                    raise ProfileValueError(f"no attribute or custom column named {attribute!r}")
                value = custom_field_clean(field, raw)
                exists = CustomFieldValue.objects.filter(profile=found, field=field).exists()
                if not (only_if_empty and exists):
                    custom_value_set(profile=found, field=field, raw=value, actor=call.user)
    except ServiceError as error:
        raise write_error(error) from None
    found.refresh_from_db()
    return profile_response(call, found)


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def custom_column_value(call: ApiCall) -> Element:
    found = profile_by_phone(call)
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
