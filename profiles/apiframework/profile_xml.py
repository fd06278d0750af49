"""The one `<profile>` element every endpoint that returns profiles shares.

Element names, order and nesting follow seed 004's samples (List All Profiles, Profile
Summary, Profile OptOut, List Group Members). Building a page of profiles costs a fixed
number of queries whatever its size: the company's custom fields once, then one
prefetch each for custom values and subscriptions (`profiles_with_details`).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from lxml.etree import _Element as Element

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


# Profile columns the element reads; the rest (search vectors, flags) stay in the database.
_PROFILE_FIELDS = (
    "id", "company_id", "phone_number", "first_name", "last_name", "email", "status",
    "created_at", "updated_at", "opted_out_at", "opted_out_source", "source_type",
    "source_name", "source_user_id", "street1", "street2", "city", "state", "postal_code",
    "country", "latitude", "longitude", "precision", "geocoded_city", "geocoded_state",
    "geocoded_postal_code", "geocoded_country", "congressional_district",
    "state_upper_district", "state_lower_district", "split_district", "crm_sync_id",
    "crm_synced_at",
)  # fmt: skip
_SUBSCRIPTION_COLUMNS = (
    "profile_id", "campaign_id", "campaign__name", "campaign__description",
    "opt_in_path_id", "status", "opt_in_source", "created_at", "activated_at",
    "opted_out_at", "opt_out_source",
)  # fmt: skip


def profiles_with_details(queryset: QuerySet[Profile], parts: ProfileParts) -> list[Profile]:
    """The profiles with what `profile_element` reads, in a constant number of queries.

    Custom values and subscriptions are read as plain tuples rather than prefetched
    model instances: for a page of 1,000 profiles, building ~10,000 model objects cost
    more than all the SQL together.
    """
    profiles = list(
        queryset.select_related("source_user", "crm_sync").only(
            *_PROFILE_FIELDS,
            "source_user__email",
            "crm_sync__name",
        )
    )
    ids = [p.pk for p in profiles]
    if parts.custom_columns:
        values: dict[int, dict[int, str]] = {pk: {} for pk in ids}
        rows = CustomFieldValue.objects.filter(profile_id__in=ids).values_list(
            "profile_id", "field_id", "value"
        )
        for profile_id, field_id, value in rows if ids else ():
            values[profile_id][field_id] = value
        for profile in profiles:
            profile.api_custom_values = values[profile.pk]  # type: ignore[attr-defined]
    if parts.subscriptions:
        from campaigns.models import Subscription  # campaigns depends on profiles

        subscriptions: dict[int, list[tuple]] = {pk: [] for pk in ids}
        rows = (
            Subscription.objects.filter(profile_id__in=ids)
            .order_by("created_at", "id")
            .values_list(*_SUBSCRIPTION_COLUMNS)
        )
        for row in rows if ids else ():
            subscriptions[row[0]].append(row[1:])
        for profile in profiles:
            profile.api_subscriptions = subscriptions[profile.pk]  # type: ignore[attr-defined]
    return profiles


def company_custom_fields(company: Company, parts: ProfileParts) -> list[CustomField]:
    if not parts.custom_columns:
        return []
    return list(CustomField.objects.for_company(company).only("id", "name").order_by("name"))


def _custom_values(profile: Profile) -> dict[int, str]:
    values = getattr(profile, "api_custom_values", None)
    if values is None:
        values = dict(
            CustomFieldValue.objects.filter(profile=profile).values_list("field_id", "value")
        )
    return values


def _subscriptions(profile: Profile) -> list[tuple]:
    subscriptions = getattr(profile, "api_subscriptions", None)
    if subscriptions is None:
        from campaigns.models import Subscription

        rows = (
            Subscription.objects.filter(profile=profile)
            .order_by("created_at", "id")
            .values_list(*_SUBSCRIPTION_COLUMNS)
        )
        subscriptions = [row[1:] for row in rows]
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
        subscriptions = _subscriptions(profile)
        # The samples show <subscriptions> only for profiles that have some.
        if subscriptions:
            container = sub(el, "subscriptions")
            for (
                campaign_id,
                campaign_name,
                campaign_description,
                opt_in_path_id,
                status,
                opt_in_source,
                created_at,
                activated_at,
                opted_out_at,
                opt_out_source,
            ) in subscriptions:
                sub(
                    container,
                    "subscription",
                    campaign_id=campaign_id,
                    campaign_name=campaign_name,
                    campaign_description=campaign_description,
                    opt_in_path_id=opt_in_path_id or "",
                    status=status,
                    opt_in_source=opt_in_source,
                    created_at=fmt_iso(created_at),
                    activated_at=fmt_iso(activated_at),
                    opted_out_at=fmt_iso(opted_out_at),
                    opt_out_source=opt_out_source,
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
