"""Creating profiles: the one rule every path that brings in a new number calls.

A new number arrives from the API (Profile Update, Add Group Member), the group page,
a group CSV upload and inbound texts. Creating its profile always means the same
three things, written here once:

  1. the suppression list is checked first: a number erased at its owner's request
     (GDPR, profiles.services.profile_erase) is never created again, whichever path
     it comes back through;
  2. the first-seen source (type, name, user) and what the number is (carrier, type,
     country) are recorded;
  3. a `created` event starts the profile's activity feed.

`profile_create` does it for one number; `profiles_create_many` for a list, set-based
(one INSERT … SELECT FROM unnest, the suppression check as an anti-join on digests,
the events as one INSERT … SELECT of the new ids), so an upload of 100,000 numbers
runs no Python loop per row on the database side. A test proves both leave the same
rows. Invalid numbers are the callers' to report in their own terms (API error 5, an
"Invalid" upload row) before they get here; inbound texts keep whatever number the
carrier delivered.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Company
from core.errors import ErrorKind
from core.model_fields import column_of
from core.phones import PhoneResult, phone_digest, phone_digest_sql

from .models import ActivityEvent, Profile, Suppression
from .models.profiles import NumberType
from .services import ProfileActionError

# The per-row outcome detail and the message of a refused suppressed number.
# Erased at its owner's request, or opted out by hand before it had a profile.
SUPPRESSED_DETAIL = "On the suppression list: this number cannot be added again"


def suppressed_message(e164: str) -> str:
    return f"{e164} was erased at its owner's request and cannot be added"


class ProfileSuppressed(ProfileActionError):
    """The number is on the suppression list (its owner asked to be forgotten)."""

    kind = ErrorKind.FORBIDDEN

    def __init__(self, e164: str) -> None:
        self.e164 = e164
        super().__init__(suppressed_message(e164))


@dataclass
class ProfilesCreated:
    """What profiles_create_many did: new profile ids by number, and the numbers it
    refused because they are suppressed. Numbers in neither already had a profile."""

    created: dict[str, int] = field(default_factory=dict)
    suppressed: set[str] = field(default_factory=set)


def _user(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _number_columns(phone: PhoneResult) -> dict[str, str]:
    return {
        "phone_number": phone.e164 or "",
        "carrier_name": phone.carrier_name,
        "number_type": phone.number_type or NumberType.UNKNOWN,
        "number_country": phone.country,
    }


def phone_suppressed(*, company_id: int, e164: str) -> bool:
    return Suppression.objects.filter(
        company_id=company_id, phone_digest=phone_digest(e164)
    ).exists()


@transaction.atomic
def profile_create(
    *,
    company: Company,
    phone: PhoneResult,
    source_type: str,
    source_name: str = "",
    by: User | None = None,
    origin: str = "",
    channel: str = "",
    description: str = "Profile created",
) -> Profile:
    """Create the company's profile for `phone` (raises ProfileSuppressed, nothing
    written, for an erased number; IntegrityError if the number already has one)."""
    if not phone.e164:
        raise ProfileActionError(f"{phone.raw[:40]!r} is not a phone number.")
    if phone_suppressed(company_id=company.pk, e164=phone.e164):
        raise ProfileSuppressed(phone.e164)
    profile = Profile.objects.create(
        company=company,
        **_number_columns(phone),
        source_type=source_type,
        source_name=source_name[:200],
        source_user=_user(by),
    )
    ActivityEvent.objects.create(
        company_id=company.pk,
        profile=profile,
        kind=ActivityEvent.Kind.CREATED,
        actor=_user(by),
        description=description[:500],
        channel=channel,
        origin=origin,
    )
    return profile


def profile_get_or_create(
    *,
    company: Company,
    phone: PhoneResult,
    source_type: str,
    source_name: str = "",
    by: User | None = None,
    origin: str = "",
    channel: str = "",
    description: str = "Profile created",
) -> tuple[Profile, bool]:
    """The company's profile for the number, created through profile_create if new."""
    existing = Profile.objects.for_company(company).filter(phone_number=phone.e164).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            profile = profile_create(
                company=company,
                phone=phone,
                source_type=source_type,
                source_name=source_name,
                by=by,
                origin=origin,
                channel=channel,
                description=description,
            )
    except IntegrityError:  # created by a concurrent request a moment ago
        return Profile.objects.for_company(company).get(phone_number=phone.e164), False
    return profile, True


# Written per new profile; every other column gets its model default.
_NUMBER_COLUMNS = ("phone_number", "carrier_name", "number_type", "number_country")


def _suppressed_numbers(company_id: int, numbers: list[str]) -> set[str]:
    table = Suppression._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT n.phone_number FROM unnest(%s::text[]) AS n (phone_number) "  # noqa: S608 (a model's table)
            f"WHERE EXISTS (SELECT 1 FROM {table} s WHERE s.company_id = %s "
            f"AND s.phone_digest = {phone_digest_sql('n.phone_number')})",
            [numbers, company_id],
        )
        return {row[0] for row in cursor.fetchall()}


@transaction.atomic
def profiles_create_many(
    *,
    company_id: int,
    phones: Sequence[PhoneResult],
    source_type: str,
    source_name: str = "",
    by_id: int | None = None,
    origin: str = "",
    channel: str = "",
    description: str = "Profile created",
) -> ProfilesCreated:
    """profile_create for many numbers at once, set-based; numbers that already have a
    profile are left alone (ON CONFLICT DO NOTHING), suppressed ones are refused."""
    phones = [p for p in phones if p.e164]
    if not phones:
        return ProfilesCreated()
    numbers = [p.e164 for p in phones if p.e164]
    result = ProfilesCreated(suppressed=_suppressed_numbers(company_id, numbers))
    now = timezone.now()
    common = {
        "company_id": company_id,
        "source_type": source_type,
        "source_name": source_name[:200],
        "source_user_id": by_id,
        "created_at": now,
        "updated_at": now,
    }
    event: dict[str, Any] = {
        "company_id": company_id,
        "kind": ActivityEvent.Kind.CREATED,
        "actor_id": by_id,
        "description": description[:500],
        "channel": channel,
        "origin": origin,
    }
    allowed = [p for p in phones if p.e164 not in result.suppressed]
    columns: list[str] = []
    params: list[Any] = []
    for model_field in Profile._meta.concrete_fields:
        if model_field.primary_key or model_field.attname in _NUMBER_COLUMNS:
            continue
        if model_field.attname in common:
            value = common[model_field.attname]
        elif model_field.null:
            continue
        else:
            value = model_field.get_default()
        columns.append(column_of(Profile, model_field.name))
        params.append(model_field.get_db_prep_save(value, connection))
    arrays: dict[str, list[Any]] = {
        "phone_number": [p.e164 for p in allowed],
        "carrier_name": [p.carrier_name for p in allowed],
        "number_type": [p.number_type or NumberType.UNKNOWN for p in allowed],
        "number_country": [p.country for p in allowed],
    }
    names = ", ".join(_NUMBER_COLUMNS)
    profile_table = Profile._meta.db_table
    suppression_table = Suppression._meta.db_table
    event_table = ActivityEvent._meta.db_table
    event_columns = ", ".join(event)
    with connection.cursor() as cursor:
        # Only model metadata is interpolated; every value is a parameter. The anti-join
        # repeats the check above inside the INSERT, so a number erased meanwhile still
        # cannot slip in.
        cursor.execute(
            f"WITH new AS (INSERT INTO {profile_table} ({', '.join(columns)}, {names}) "  # noqa: S608 (model metadata)
            f"SELECT {', '.join(['%s'] * len(params))}, {names} "
            f"FROM unnest({', '.join(['%s::text[]'] * len(arrays))}) AS n ({names}) "
            f"WHERE NOT EXISTS (SELECT 1 FROM {suppression_table} s WHERE s.company_id = %s "
            f"AND s.phone_digest = {phone_digest_sql('n.phone_number')}) "
            "ON CONFLICT DO NOTHING RETURNING id, phone_number), "
            f"events AS (INSERT INTO {event_table} ({event_columns}, data, profile_id, created_at) "
            f"SELECT {', '.join(['%s'] * len(event))}, %s, new.id, %s FROM new) "
            "SELECT phone_number, id FROM new",
            [
                *params,
                *arrays.values(),
                company_id,
                *event.values(),
                json.dumps({}),
                now,
            ],
        )
        result.created = dict(cursor.fetchall())
    return result
