"""Writes the API makes to profiles and groups, built on the shared services.

Each function validates everything first and writes under one transaction, so a call
the rules refuse changes nothing (seed 004's clients retry whole calls, and a half
applied batch would be invisible to them).
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import Company
from core.phones import phone_normalize
from core.text_rules import TextError, name_clean, text_clean

from . import creation
from .custom_fields import CustomFieldError, custom_value_clean
from .models import ActivityEvent, CustomField, Group, GroupMembership, Profile, SourceType
from .services import custom_value_set, profile_update

# Standard attributes the API may set, with their column limits (Profile model).
PROFILE_API_FIELDS: dict[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "street1": 200,
    "street2": 200,
    "city": 100,
    "state": 50,
    "postal_code": 20,
    "country": 2,
    "constituent_id": 100,
}


class ProfileApiError(Exception):
    """A refused API write: `code` is the seed error code, the message names the problem."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(message)


def _actor_name(actor: AbstractBaseUser) -> str:
    full = getattr(actor, "get_full_name", lambda: "")()
    return full or actor.get_username()


def profile_field_clean(name: str, raw: str) -> str:
    """A standard attribute's value as stored, or ProfileApiError (code 30)."""
    try:
        value = text_clean(raw, field=name).strip()
    except TextError as error:
        raise ProfileApiError(30, str(error)) from None
    if len(value) > PROFILE_API_FIELDS[name]:
        raise ProfileApiError(30, f"{name} can be at most {PROFILE_API_FIELDS[name]} characters")
    if name == "email" and value:
        try:
            validate_email(value)
        except ValidationError:
            raise ProfileApiError(30, f"{value[:60]!r} is not an email address") from None
    if name == "country" and value:
        value = value.upper()
        if not (value.isascii() and value.isalpha() and len(value) == 2):
            raise ProfileApiError(30, "country must be a two-letter ISO code such as US")
    return value


def custom_fields_by_name(company: Company) -> dict[str, CustomField]:
    """The company's custom fields keyed by lower-cased name (names are matched ignoring case)."""
    return {f.name.lower(): f for f in CustomField.objects.for_company(company)}


def custom_field_clean(field: CustomField, raw: str) -> str:
    try:
        return custom_value_clean(field.field_type, raw)
    except CustomFieldError as error:
        raise ProfileApiError(30, f"{field.name}: {error}") from None


def profile_get_or_create(
    *, company: Company, e164: str, actor: AbstractBaseUser, source_type: str, source_name: str
) -> tuple[Profile, bool]:
    """The company's profile for `e164`, created (as the API's) when there is none."""
    profile = Profile.objects.for_company(company).filter(phone_number=e164).first()
    if profile is not None:
        return profile, False
    phone = phone_normalize(e164)
    if not phone.valid:
        raise ProfileApiError(5, f"{e164} is not a valid phone number ({phone.reason})")
    try:
        return creation.profile_get_or_create(
            company=company,
            phone=phone,
            source_type=source_type,
            source_name=source_name,
            by=actor,
            origin="api",
            description=f"Created through the API ({source_name})",
        )
    except creation.ProfileSuppressed as refused:
        raise ProfileApiError(5, str(refused)) from None


@transaction.atomic
def profile_api_save(
    *,
    company: Company,
    e164: str,
    actor: AbstractBaseUser,
    fields: dict[str, str],
    custom_values: dict[CustomField, str],
) -> tuple[Profile, bool]:
    """Create or update a profile from already-cleaned values (Profile Update)."""
    profile, created = profile_get_or_create(
        company=company,
        e164=e164,
        actor=actor,
        source_type=SourceType.API,
        source_name=_actor_name(actor),
    )
    if fields:
        profile_update(profile=profile, actor=actor, data=fields)
    for field, value in custom_values.items():
        custom_value_set(profile=profile, field=field, raw=value, actor=actor)
    return profile, created


@transaction.atomic
def group_create(*, company: Company, name: str, actor: AbstractBaseUser) -> Group:
    try:
        name = name_clean(name, field="name").strip()
    except TextError as error:
        raise ProfileApiError(18, str(error)) from None
    if not name or len(name) > 200:
        raise ProfileApiError(18, "a group name needs 1 to 200 characters")
    return Group.objects.create(
        company=company, name=name, kind=Group.Kind.UPLOADED, created_by=actor
    )


def _record_group_events(profiles: list[Profile], group: Group, kind: str, actor) -> None:
    verb = "Added to" if kind == ActivityEvent.Kind.GROUP_ADDED else "Removed from"
    ActivityEvent.objects.bulk_create(
        [
            ActivityEvent(
                company_id=group.company_id,
                profile=p,
                kind=kind,
                actor=actor if actor.is_authenticated else None,
                origin="api",
                description=f"{verb} group {group.name}"[:500],
                data={"group_id": group.pk},
            )
            for p in profiles
        ],
        batch_size=1000,
    )


@transaction.atomic
def group_members_add(
    *, group: Group, numbers: list[str], actor: AbstractBaseUser
) -> dict[str, Any]:
    """Add numbers (E.164) to an uploaded group, creating profiles for new numbers.

    All numbers are checked before anything is written: one invalid or erased number
    refuses the whole batch.
    """
    if group.kind != Group.Kind.UPLOADED:
        raise ProfileApiError(6, "a filtered group's members come from its saved search")
    company = group.company
    existing = {
        p.phone_number: p
        for p in Profile.objects.for_company(company).filter(phone_number__in=numbers)
    }
    new_numbers = [n for n in numbers if n not in existing]
    phones = {n: phone_normalize(n) for n in new_numbers}
    for number, phone in phones.items():
        if not phone.valid:
            raise ProfileApiError(5, f"{number} is not a valid phone number ({phone.reason})")
    made = creation.profiles_create_many(
        company_id=company.pk,
        phones=list(phones.values()),
        source_type=SourceType.UPLOADED_GROUP,
        source_name=group.name,
        by_id=actor.pk if actor.is_authenticated else None,
        origin="api",
        description=f"Created by adding it to group {group.name} through the API",
    )
    if made.suppressed:
        # One erased number refuses the whole batch (the atomic block undoes the rest).
        raise ProfileApiError(5, creation.suppressed_message(sorted(made.suppressed)[0]))
    profiles = list(Profile.objects.for_company(company).filter(phone_number__in=numbers))
    already = set(
        GroupMembership.objects.filter(group=group, profile__in=profiles).values_list(
            "profile_id", flat=True
        )
    )
    added = [p for p in profiles if p.pk not in already]
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group, profile=p) for p in added],
        batch_size=1000,
        ignore_conflicts=True,
    )
    _record_group_events(added, group, ActivityEvent.Kind.GROUP_ADDED, actor)
    group.save(update_fields=["updated_at"])
    return {"added": len(added), "created_profiles": len(made.created)}


@transaction.atomic
def group_members_remove(*, group: Group, numbers: list[str], actor: AbstractBaseUser) -> int:
    if group.kind != Group.Kind.UPLOADED:
        raise ProfileApiError(6, "a filtered group's members come from its saved search")
    memberships = GroupMembership.objects.filter(
        group=group, profile__company=group.company, profile__phone_number__in=numbers
    ).select_related("profile")
    removed = [m.profile for m in memberships]
    GroupMembership.objects.filter(pk__in=[m.pk for m in memberships]).delete()
    _record_group_events(removed, group, ActivityEvent.Kind.GROUP_REMOVED, actor)
    group.save(update_fields=["updated_at"])
    return len(removed)
