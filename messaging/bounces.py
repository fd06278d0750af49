"""What a bounce does to a profile (seed 001 "Cleaned"): hard at once, soft after a run;
and what a carrier's "not a mobile number" does (the profile's data is invalid).

Runs inside the delivery transaction of the message that bounced.
"""

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from profiles.models import ActivityEvent, CleanedReason, Profile
from profiles.models.profiles import NumberType
from profiles.services import activity_record
from profiles.status import profile_refresh_status

# The activity-event origin of an opt-out the carrier reported (it holds the STOP), so
# the revocation report tells it from a STOP texted to us.
CARRIER_ORIGIN = "carrier"


def profile_clean(*, profile: Profile, reason: str) -> bool:
    """Mark the number cleaned (no more sends). Returns False when it already was."""
    changed = Profile.objects.filter(pk=profile.pk, cleaned_at__isnull=True).update(
        cleaned_at=timezone.now(), cleaned_reason=reason
    )
    if changed:
        activity_record(
            profile=profile,
            kind=ActivityEvent.Kind.CLEANED,
            description=f"Cleaned: {reason}",
            channel="sms",
            data={"reason": reason},
        )
        profile_refresh_status(profiles=[profile.pk])
    return bool(changed)


def profile_number_invalid(*, profile: Profile) -> bool:
    """The carrier says the number cannot take texts (a landline, not a mobile number).

    Its number type becomes landline, which the send rule refuses (campaigns.compliance)
    until the number is edited and classified again. Returns False when it already was.
    """
    changed = (
        Profile.objects.filter(pk=profile.pk)
        .exclude(number_type=NumberType.LANDLINE)
        .update(number_type=NumberType.LANDLINE, updated_at=timezone.now())
    )
    if changed:
        activity_record(
            profile=profile,
            kind=ActivityEvent.Kind.EDITED,
            description="The carrier says this number cannot receive texts (landline)",
            channel="sms",
            data={"number_type": NumberType.LANDLINE},
        )
    return bool(changed)


def profile_soft_bounce(*, profile: Profile) -> bool:
    """Count one more consecutive soft bounce; clean the number at the configured limit."""
    Profile.objects.filter(pk=profile.pk).update(
        consecutive_soft_bounces=F("consecutive_soft_bounces") + 1
    )
    count = Profile.objects.filter(pk=profile.pk).values_list(
        "consecutive_soft_bounces", flat=True
    )[0]
    if count >= settings.SMS_SOFT_BOUNCE_LIMIT:
        return profile_clean(profile=profile, reason=CleanedReason.SOFT_BOUNCE)
    return False


def profile_delivered(*, profile: Profile) -> None:
    """A delivered message ends a run of soft bounces."""
    Profile.objects.filter(pk=profile.pk, consecutive_soft_bounces__gt=0).update(
        consecutive_soft_bounces=0
    )


def profile_mark_invalid(*, profile: Profile, reason: str, landline: bool = False) -> bool:
    """The carrier says the number cannot take texts: mark the profile's data invalid
    (status "Invalid Profile Data", no more sends). Returns False when it already was."""
    updates: dict = {"invalid_data": True, "invalid_data_description": reason[:200]}
    if landline:
        updates["number_type"] = NumberType.LANDLINE
    changed = Profile.objects.filter(pk=profile.pk, invalid_data=False).update(**updates)
    if changed:
        activity_record(
            profile=profile,
            kind=ActivityEvent.Kind.EDITED,
            description=f"Marked invalid: {reason}",
            channel="sms",
            data={"reason": reason, "landline": landline},
        )
        profile_refresh_status(profiles=[profile.pk])
    return bool(changed)
