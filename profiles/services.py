"""Writes to profiles that several apps share. Each runs inside the caller's transaction."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from accounts.models import Company
from core.errors import ServiceError
from core.model_fields import concrete_field
from core.phones import phone_digest
from core.safe_urls import UnsafeUrlError, external_url_clean
from core.text_rules import TextError, name_clean, text_clean

from .custom_fields import CustomFieldError, custom_value_clean
from .extensions import erasers
from .models import (
    ActivityEvent,
    CustomField,
    CustomFieldType,
    CustomFieldValue,
    Note,
    OptOutSource,
    Profile,
    Suppression,
)


def activity_record(
    *,
    profile: Profile,
    kind: str,
    actor: User | None = None,
    description: str = "",
    channel: str = "",
    origin: str = "",
    data: dict[str, Any] | None = None,
) -> ActivityEvent:
    """Record one event in the profile's activity feed, with who did it."""
    return ActivityEvent.objects.create(
        company_id=profile.company_id,
        profile=profile,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        description=description[:500],
        channel=channel,
        origin=origin,
        data=data or {},
    )


# --- Profile page writes ---------------------------------------------------------------
# Every change below records an activity event with its actor, so the profile's feed
# answers "who did this, and when" for compliance reviews (seed 000 keeps history).


class ProfileActionError(ServiceError):
    """A change the rules refuse; the message is shown to the user as is."""


PROFILE_EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
    "birthday",
    "gender",
    "language",
    "timezone",
    "constituent_id",
    "avatar_url",
)


# Shown as labels (the table, the chat header, exports): bidi controls are stripped.
PROFILE_NAME_FIELDS = ("first_name", "last_name")


def profile_text_clean(data: dict[str, Any]) -> dict[str, Any]:
    """The text rule (core.text_rules) over every attribute; ProfileActionError if refused."""
    cleaned = {}
    for name, value in data.items():
        label = str(concrete_field(Profile, name).verbose_name).capitalize()
        try:
            if name in PROFILE_NAME_FIELDS:
                cleaned[name] = name_clean(value, field=label)
            else:
                cleaned[name] = text_clean(value, field=label)
        except TextError as error:
            raise ProfileActionError(str(error)) from None
    return cleaned


def _lock(profile: Profile) -> Profile:
    return Profile.objects.select_for_update().get(pk=profile.pk)


@transaction.atomic
def profile_update(*, profile: Profile, actor: User | None, data: dict[str, Any]) -> list[str]:
    """Save edited personal fields; returns the names of the fields that changed."""
    unknown = set(data) - set(PROFILE_EDITABLE_FIELDS)
    if unknown:
        raise ProfileActionError(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    if profile.erased_at:
        raise ProfileActionError("This profile's personal data was erased; it cannot be edited.")
    data = profile_text_clean(data)
    if "avatar_url" in data:
        # Rendered as an <img src>: only an http(s) link may be stored (core/safe_urls.py).
        try:
            data = {**data, "avatar_url": external_url_clean(data["avatar_url"] or "")}
        except UnsafeUrlError as error:
            raise ProfileActionError(f"Avatar link: {error}") from None
    locked = _lock(profile)
    changed = [name for name, value in data.items() if getattr(locked, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(locked, name, data[name])
    locked.save(update_fields=[*changed, "updated_at"])
    labels = ", ".join(str(concrete_field(Profile, n).verbose_name) for n in changed)
    activity_record(
        profile=locked,
        kind=ActivityEvent.Kind.EDITED,
        actor=actor,
        description=f"Edited {labels}",
        origin="profile",
        data={"fields": changed},
    )
    profile.refresh_from_db()
    return changed


@transaction.atomic
def custom_value_set(
    *, profile: Profile, field: CustomField, raw: object, actor: User | None
) -> CustomFieldValue:
    """Validate `raw` for the field's type and store its canonical form.

    Raises CustomFieldError (nothing stored) when the value does not fit the type.
    """
    if field.company_id != profile.company_id:
        raise ProfileActionError("That field belongs to another company.")
    value = custom_value_clean(field.field_type, raw)
    row, created = CustomFieldValue.objects.update_or_create(
        profile=profile, field=field, defaults={"value": value}
    )
    activity_record(
        profile=profile,
        kind=ActivityEvent.Kind.CUSTOM_FIELD,
        actor=actor,
        description=f"{'Set' if created else 'Changed'} {field.name} to “{value}”",
        origin="profile",
        data={"field_id": field.pk, "value": value},
    )
    return row


@transaction.atomic
def custom_value_delete(*, profile: Profile, field: CustomField, actor: User | None) -> bool:
    deleted, _ = CustomFieldValue.objects.filter(profile=profile, field=field).delete()
    if deleted:
        activity_record(
            profile=profile,
            kind=ActivityEvent.Kind.CUSTOM_FIELD,
            actor=actor,
            description=f"Deleted the value of {field.name}",
            origin="profile",
            data={"field_id": field.pk, "deleted": True},
        )
    return bool(deleted)


@transaction.atomic
def note_create(*, profile: Profile, body: str, actor: User | None) -> Note:
    """Add a note (seed 002: at most 5 per profile, 500 characters each)."""
    # A form posts each line break as \r\n; stored as \n it counts once, as the page's
    # maxlength counts it, and a 500-character note with line breaks fits its column.
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ProfileActionError("Write something in the note first.")
    try:
        text_clean(body, field="The note", multiline=True)
    except TextError as error:
        raise ProfileActionError(str(error)) from None
    if len(body) > Note.MAX_LENGTH:
        raise ProfileActionError(
            f"A note can be at most {Note.MAX_LENGTH} characters (this one has {len(body)})."
        )
    _lock(profile)  # two agents adding the 5th note at once must not make 6
    if Note.objects.filter(profile=profile).count() >= Note.MAX_PER_PROFILE:
        raise ProfileActionError(
            f"A profile can have at most {Note.MAX_PER_PROFILE} notes. "
            "Delete one before adding another."
        )
    note = Note.objects.create(
        profile=profile,
        body=body,
        author=actor if actor is not None and actor.is_authenticated else None,
    )
    activity_record(
        profile=profile,
        kind=ActivityEvent.Kind.NOTE_ADDED,
        actor=actor,
        description=f"Added a note: {body[:80]}",
        origin="profile",
        data={"note_id": note.pk},
    )
    return note


@transaction.atomic
def note_delete(*, note: Note, actor: User | None) -> None:
    """Delete a note for good (seed 002: no recovery)."""
    profile = note.profile
    note_id = note.pk
    note.delete()
    activity_record(
        profile=profile,
        kind=ActivityEvent.Kind.NOTE_DELETED,
        actor=actor,
        description="Deleted a note",
        origin="profile",
        data={"note_id": note_id},
    )


def _flag_change(
    *,
    profile: Profile,
    flag: str,
    value: bool,
    kind: str,
    description: str,
    actor: User | None,
) -> bool:
    from .status import profile_refresh_status

    locked = _lock(profile)
    if getattr(locked, flag) == value:
        return False
    Profile.objects.filter(pk=profile.pk).update(**{flag: value})
    activity_record(
        profile=locked, kind=kind, actor=actor, description=description, origin="profile"
    )
    profile_refresh_status(profiles=[profile.pk])
    profile.refresh_from_db()
    return True


@transaction.atomic
def profile_blacklist(*, profile: Profile, actor: User | None) -> bool:
    """Add the number to the phone blacklist: message_send refuses it from now on."""
    return _flag_change(
        profile=profile,
        flag="blacklisted",
        value=True,
        kind=ActivityEvent.Kind.BLACKLISTED,
        description="Added to the phone blacklist",
        actor=actor,
    )


@transaction.atomic
def profile_unblacklist(*, profile: Profile, actor: User | None) -> bool:
    if profile.erased_at:
        raise ProfileActionError("An erased profile stays suppressed for good.")
    return _flag_change(
        profile=profile,
        flag="blacklisted",
        value=False,
        kind=ActivityEvent.Kind.UNBLACKLISTED,
        description="Removed from the phone blacklist",
        actor=actor,
    )


@transaction.atomic
def profile_email_blacklist(*, profile: Profile, actor: User | None) -> bool:
    """Add the email address to the email blacklist (seed 002). Texts are unaffected."""
    return _flag_change(
        profile=profile,
        flag="email_blacklisted",
        value=True,
        kind=ActivityEvent.Kind.EMAIL_BLACKLISTED,
        description="Added to the email blacklist",
        actor=actor,
    )


@transaction.atomic
def profile_email_unblacklist(*, profile: Profile, actor: User | None) -> bool:
    return _flag_change(
        profile=profile,
        flag="email_blacklisted",
        value=False,
        kind=ActivityEvent.Kind.EMAIL_UNBLACKLISTED,
        description="Removed from the email blacklist",
        actor=actor,
    )


@transaction.atomic
def profile_deactivate(*, profile: Profile, actor: User | None) -> bool:
    """Disable the profile (seed 002): no communication is sent to it."""
    return _flag_change(
        profile=profile,
        flag="deactivated",
        value=True,
        kind=ActivityEvent.Kind.DEACTIVATED,
        description="Deactivated",
        actor=actor,
    )


@transaction.atomic
def profile_activate(*, profile: Profile, actor: User | None) -> bool:
    if profile.erased_at:
        raise ProfileActionError("An erased profile stays suppressed for good.")
    return _flag_change(
        profile=profile,
        flag="deactivated",
        value=False,
        kind=ActivityEvent.Kind.ACTIVATED,
        description="Activated",
        actor=actor,
    )


ERASED_PREFIX = "erased:"

# Ending a number's subscriptions (and pending double opt-ins, with the `opted_out`
# event) is campaigns.opt_outs's transition, the one every opt-out runs. campaigns sits
# above profiles, so its AppConfig.ready() registers that function here: an erasure
# then opts the number out exactly as a STOP would instead of keeping a copy of it.
_opt_out_everywhere: Callable[..., Any] | None = None


def opt_out_everywhere_register(opt_out: Callable[..., Any]) -> None:
    global _opt_out_everywhere
    _opt_out_everywhere = opt_out


ERASED_TEXT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "carrier_name",
    "geocoded_city",
    "geocoded_state",
    "geocoded_postal_code",
    "geocoded_country",
    "congressional_district",
    "state_upper_district",
    "state_lower_district",
    "precision",
    "gender",
    "language",
    "timezone",
    "source_name",
    "invalid_data_description",
    "constituent_id",
    "avatar_url",
)


@transaction.atomic
def profile_erase(*, profile: Profile, actor: User | None, confirmation: str) -> Profile:
    """GDPR erasure: remove the person's personal data, keep an anonymous audit trail.

    Seed 000 keeps every interaction for compliance audits, so rows stay (messages,
    subscriptions, donations, activity) but lose what identifies the person. The number
    itself is replaced by a placeholder, and a Suppression keeps only its SHA-256 digest
    so that the number is refused by message_send if it ever comes back.
    `confirmation` must be the profile's phone number as shown or typed.
    """
    from core.phones import phone_search_digits

    from .status import profile_state_write

    locked = _lock(profile)
    if locked.erased_at:
        raise ProfileActionError("This profile was already erased.")
    if phone_search_digits(confirmation) != phone_search_digits(locked.phone_number):
        raise ProfileActionError("Type the profile's phone number exactly to confirm the erasure.")
    number = locked.phone_number
    now = timezone.now()
    if _opt_out_everywhere is None:
        raise ImproperlyConfigured("The campaigns app registers the opt-out an erasure runs.")
    _opt_out_everywhere(
        company_id=locked.company_id,
        profile_ids=[locked.pk],
        source=OptOutSource.ERASED,
        now=now,
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        origin="profile",
    )
    Suppression.objects.get_or_create(
        company_id=locked.company_id,
        phone_digest=phone_digest(number),
        defaults={"reason": OptOutSource.ERASED, "created_by": _user_or_none(actor)},
    )
    # Rows of the apps above profiles (messages) are blanked by what they registered.
    for eraser in erasers:
        eraser.erase(locked)
    CustomFieldValue.objects.filter(profile=locked).delete()
    Note.objects.filter(profile=locked).update(body="")
    blank = dict.fromkeys(ERASED_TEXT_FIELDS, "")
    Profile.objects.filter(pk=locked.pk).update(
        **blank,
        phone_number=f"{ERASED_PREFIX}{locked.pk}",
        country="",
        latitude=None,
        longitude=None,
        birthday=None,
        contact_score=None,
        erased_at=now,
        updated_at=now,
    )
    # These events may quote personal data (a note's first words, a typed value); the
    # rest (subscriptions, opt-outs, flags) name no one and stay as the audit trail.
    ActivityEvent.objects.filter(
        profile=locked,
        kind__in=[
            ActivityEvent.Kind.EDITED,
            ActivityEvent.Kind.CUSTOM_FIELD,
            ActivityEvent.Kind.NOTE_ADDED,
        ],
    ).update(description="(erased)", data={})
    activity_record(
        profile=locked,
        kind=ActivityEvent.Kind.ERASED,
        actor=actor,
        description="Personal data erased (GDPR); the number is suppressed",
        origin="profile",
    )
    # The opt-out above leaves an earlier company-wide opt-out's source as it was; the
    # standing reason of an erased number is the erasure.
    erased = {
        "opted_out_globally": True,
        "opted_out_at": now,
        "opted_out_source": OptOutSource.ERASED,
    }
    profile_state_write(profiles=[locked.pk], values=erased, now=now)
    profile.refresh_from_db()
    return profile


def _user_or_none(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


# --- Custom field definitions and company users (Admins) -------------------------------


def _field_name(name: str) -> str:
    try:
        return name_clean(name, field="The field name").strip()
    except TextError as error:
        raise ProfileActionError(str(error)) from None


@transaction.atomic
def custom_field_create(*, company: Company, name: str, field_type: str) -> CustomField:
    name = _field_name(name)
    if not name:
        raise ProfileActionError("Give the field a name.")
    if field_type not in CustomFieldType.values:
        raise ProfileActionError(f"Unknown field type “{field_type}”.")
    if CustomField.objects.for_company(company).filter(name__iexact=name).exists():
        raise ProfileActionError(f"A field named “{name}” already exists.")
    return CustomField.objects.create(company=company, name=name, field_type=field_type)


@transaction.atomic
def custom_field_update(*, field: CustomField, name: str, field_type: str) -> CustomField:
    """Rename and/or retype a field definition.

    Retyping re-validates every stored value against the new type and stores the new
    canonical forms; if any value does not fit, nothing changes and the message says
    how many values stand in the way, so no subscriber's data is silently lost.
    """
    name = _field_name(name)
    if not name:
        raise ProfileActionError("Give the field a name.")
    if field_type not in CustomFieldType.values:
        raise ProfileActionError(f"Unknown field type “{field_type}”.")
    clash = CustomField.objects.for_company(field.company).filter(name__iexact=name)
    if clash.exclude(pk=field.pk).exists():
        raise ProfileActionError(f"A field named “{name}” already exists.")
    if field_type != field.field_type:
        converted: list[CustomFieldValue] = []
        bad: list[str] = []
        for row in CustomFieldValue.objects.select_for_update().filter(field=field):
            try:
                row.value = custom_value_clean(field_type, row.value)
            except CustomFieldError:
                bad.append(row.value)
            else:
                converted.append(row)
        if bad:
            sample = ", ".join(f"“{v}”" for v in bad[:3])
            raise ProfileActionError(
                f"{len(bad)} stored value(s) are not valid as {field_type} ({sample}). "
                "Edit or delete them first, or keep the current type."
            )
        CustomFieldValue.objects.bulk_update(converted, ["value"], batch_size=1000)
    field.name = name
    field.field_type = field_type
    field.save(update_fields=["name", "field_type"])
    return field
