"""The one `<profile>` element every endpoint that returns profiles shares.

Element names, order and nesting follow seed 004's samples (List All Profiles, Profile
Summary, Profile OptOut, List Group Members). Building a page of profiles costs a fixed
number of queries whatever its size: the company's custom fields once, then one
prefetch each for custom values and subscriptions (`profiles_with_details`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from profiles.models import Company, CustomField, CustomFieldValue, Profile, ProfileStatus

from .xml import fmt_iso, fmt_time, sub

# The seed's samples call a profile without subscriptions "Profiles with no Subscriptions".
_STATUS_NAMES = {ProfileStatus.NONE: "Profiles with no Subscriptions"}


@dataclass(frozen=True)
class ProfileParts:
    """Which optional parts go into each `<profile>` (the include_* switches)."""

    custom_columns: bool = True
    subscriptions: bool = True
    clicks: bool = True
    members: bool = True  # integration records (CRM syncs)
    districts: bool = False

    @classmethod
    def for_company(cls, company: Company, **switches: bool) -> "ProfileParts":
        districts = bool(company.advocacy_enabled and settings.ADVOCACY_ENABLED)
        return cls(districts=districts, **switches)


def profiles_with_details(queryset: QuerySet[Profile], parts: ProfileParts) -> QuerySet[Profile]:
    """The queryset with what `profile_element` reads, fetched in a constant query count."""
    queryset = queryset.select_related("source_user", "crm_sync")
    if parts.custom_columns:
        queryset = queryset.prefetch_related(
            Prefetch(
                "custom_values",
                queryset=CustomFieldValue.objects.only("profile_id", "field_id", "value"),
                to_attr="api_custom_values",
            )
        )
    if parts.subscriptions:
        from campaigns.models import Subscription  # campaigns depends on profiles

        queryset = queryset.prefetch_related(
            Prefetch(
                "subscriptions",
                queryset=Subscription.objects.select_related("campaign").order_by(
                    "created_at", "id"
                ),
                to_attr="api_subscriptions",
            )
        )
    return queryset


def company_custom_fields(company: Company, parts: ProfileParts) -> list[CustomField]:
    if not parts.custom_columns:
        return []
    return list(CustomField.objects.for_company(company).only("id", "name").order_by("name"))


def _custom_values(profile: Profile) -> dict[int, str]:
    values = getattr(profile, "api_custom_values", None)
    if values is None:
        values = CustomFieldValue.objects.filter(profile=profile).only("field_id", "value")
    return {v.field_id: v.value for v in values}


def _subscriptions(profile: Profile) -> Iterable:
    subscriptions = getattr(profile, "api_subscriptions", None)
    if subscriptions is None:
        subscriptions = profile.subscriptions.select_related("campaign").order_by("created_at")
    return subscriptions


def profile_element(
    parent: Element, profile: Profile, *, custom_fields: list[CustomField], parts: ProfileParts
) -> Element:
    el = sub(parent, "profile", id=profile.pk)
    sub(el, "first_name", profile.first_name)
    sub(el, "last_name", profile.last_name)
    sub(el, "phone_number", profile.phone_digits)
    sub(el, "email", profile.email)
    sub(el, "status", _STATUS_NAMES.get(profile.status, profile.status))
    sub(el, "created_at", fmt_time(profile.created_at))
    sub(el, "updated_at", fmt_time(profile.updated_at))
    sub(el, "opted_out_at", fmt_time(profile.opted_out_at))
    sub(el, "opted_out_source", profile.opted_out_source)
    source = {"type": profile.source_type, "name": profile.source_name}
    if profile.source_user_id and profile.source_user:
        source["email"] = profile.source_user.email  # who added it (API, upload, inbox)
    sub(el, "source", **source)

    address = sub(el, "address")
    for name in ("street1", "street2", "city", "state", "postal_code", "country"):
        sub(address, name, getattr(profile, name))

    location = sub(el, "last_saved_location")
    sub(location, "latitude", profile.latitude)
    sub(location, "longitude", profile.longitude)
    sub(location, "precision", profile.precision)
    sub(location, "city", profile.geocoded_city)
    sub(location, "state", profile.geocoded_state)
    sub(location, "postal_code", profile.geocoded_postal_code)
    sub(location, "country", profile.geocoded_country)

    if parts.districts:
        districts = sub(el, "last_saved_districts")
        sub(districts, "congressional_district", profile.congressional_district)
        sub(districts, "state_upper_district", profile.state_upper_district)
        sub(districts, "state_lower_district", profile.state_lower_district)
        sub(districts, "split_district", "Yes" if profile.split_district else "No")

    if parts.custom_columns:
        columns = sub(el, "custom_columns")
        values = _custom_values(profile)
        for field in custom_fields:
            sub(columns, "custom_column", values.get(field.pk), name=field.name)

    if parts.subscriptions:
        subscriptions = list(_subscriptions(profile))
        # The samples show <subscriptions> only for profiles that have some.
        if subscriptions:
            container = sub(el, "subscriptions")
            for s in subscriptions:
                sub(
                    container,
                    "subscription",
                    campaign_id=s.campaign_id,
                    campaign_name=s.campaign.name,
                    campaign_description=s.campaign.description,
                    opt_in_path_id=s.opt_in_path_id or "",
                    status=s.status,
                    opt_in_source=s.opt_in_source,
                    created_at=fmt_iso(s.created_at),
                    activated_at=fmt_iso(s.activated_at),
                    opted_out_at=fmt_iso(s.opted_out_at),
                    opt_out_source=s.opt_out_source,
                )

    if parts.members:
        integrations = sub(el, "integrations")
        if profile.crm_sync_id and profile.crm_sync:
            sub(
                integrations,
                "integration",
                name=profile.crm_sync.name,
                synced_at=fmt_iso(profile.crm_synced_at),
            )
    if parts.clicks:
        # The product keeps no link-click records, so this is always empty.
        sub(el, "clicks")
    return el
