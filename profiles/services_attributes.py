"""Writes of a profile's attributes by their API names, built on the shared services.

Each function validates everything first and writes under one transaction, so a call
the rules refuse changes nothing (seed 004's clients retry whole calls, and a half
applied batch would be invisible to them).
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import Company
from core.errors import ServiceError
from core.phones import phone_normalize
from core.text_rules import TextError, text_clean

from . import creation
from .custom_fields import CustomFieldError, custom_value_clean
from .models import CustomField, Profile, SourceType
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


class ProfileValueError(ServiceError):
    """A profile attribute or custom column value the API refuses; names the problem."""


class PhoneNumberError(ServiceError):
    """A number the API cannot take: not a valid phone number."""


def _actor_name(actor: User) -> str:
    full = getattr(actor, "get_full_name", lambda: "")()
    return full or actor.get_username()


def profile_field_clean(name: str, raw: str) -> str:
    """A standard attribute's value as stored, or ProfileValueError."""
    try:
        value = text_clean(raw, field=name).strip()
    except TextError as error:
        raise ProfileValueError(str(error)) from None
    if len(value) > PROFILE_API_FIELDS[name]:
        raise ProfileValueError(f"{name} can be at most {PROFILE_API_FIELDS[name]} characters")
    if name == "email" and value:
        try:
            validate_email(value)
        except ValidationError:
            raise ProfileValueError(f"{value[:60]!r} is not an email address") from None
    if name == "country" and value:
        value = value.upper()
        if not (value.isascii() and value.isalpha() and len(value) == 2):
            raise ProfileValueError("country must be a two-letter ISO code such as US")
    return value


def custom_fields_by_name(company: Company) -> dict[str, CustomField]:
    """The company's custom fields keyed by lower-cased name (names are matched ignoring case)."""
    return {f.name.lower(): f for f in CustomField.objects.for_company(company)}


def custom_field_clean(field: CustomField, raw: str) -> str:
    try:
        return custom_value_clean(field.field_type, raw)
    except CustomFieldError as error:
        raise ProfileValueError(f"{field.name}: {error}") from None


def profile_get_or_create(
    *, company: Company, e164: str, actor: User, source_type: str, source_name: str
) -> tuple[Profile, bool]:
    """The company's profile for `e164`, created (as the API's) when there is none."""
    profile = Profile.objects.for_company(company).filter(phone_number=e164).first()
    if profile is not None:
        return profile, False
    phone = phone_normalize(e164)
    if not phone.valid:
        raise PhoneNumberError(f"{e164} is not a valid phone number ({phone.reason})")
    # An erased number raises creation.ProfileSuppressed (the API answers it as code 5).
    return creation.profile_get_or_create(
        company=company,
        phone=phone,
        source_type=source_type,
        source_name=source_name,
        by=actor,
        origin="api",
        description=f"Created through the API ({source_name})",
    )


@transaction.atomic
def profile_api_save(
    *,
    company: Company,
    e164: str,
    actor: User,
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
