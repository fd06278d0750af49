"""Profile endpoints of the XML API that subscribe or opt out (seed 004).

Profile Update (its `opt_in_path_id` subscribes the profile) and Profile OptOut. They
answer with the same `<profile>` as profiles' own endpoints (profiles/api.py); they are
campaigns' because subscriptions are.
"""

from django.db import transaction
from lxml.etree import _Element as Element

from accounts.tenancy import Perm
from api import ApiCall, api_endpoint, not_found
from core.errors import ServiceError
from profiles.api import profile_by_phone, profile_response, write_error
from profiles.models import OptOutSource
from profiles.services_attributes import (
    PROFILE_API_FIELDS,
    custom_field_clean,
    custom_fields_by_name,
    profile_api_save,
    profile_field_clean,
)

from .api import opt_in_path_for, subscribe_once
from .models import Campaign, Subscription
from .services_subscriptions import profile_opt_out as opt_out

# Parameters of profile_update that are not profile attributes or custom columns.
_PROTOCOL_PARAMS = {"company", "phone_number", "opt_in_path_id", "opt_in_path", "format"}


@api_endpoint(methods=["POST"], perm=Perm.EDIT_PROFILE)
def profile_update_view(call: ApiCall) -> Element:
    """Profile Update: create or update; custom columns by name; opt_in_path_id subscribes.

    Anti-spam (seed 004): a number is opted into a campaign through the API once only.
    If it has any subscription to that campaign, active or opted out, nothing is
    subscribed and no welcome message goes out; its status stays as it is.
    """
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
    except ServiceError as error:
        raise write_error(error) from None
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
    except ServiceError as error:
        raise write_error(error) from None
    saved.refresh_from_db()
    return profile_response(call, saved)


@api_endpoint(methods=["POST"], perm=Perm.OPT_OUT_ONE)
def profile_opt_out(call: ApiCall) -> Element:
    """Profile OptOut: every campaign (default), one campaign, or one subscription."""
    found = profile_by_phone(call)
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
