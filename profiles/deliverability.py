"""Whether a profile's number can receive our texts at all, whatever the campaign.

The part of the send rule that depends on the profile alone: erased or suppressed,
blacklisted, deactivated, cleaned after bounces, invalid data, a landline, no opt-out
record. It sits here, at the bottom, because two rules above it share it: who may be
texted (campaigns.compliance adds the opt-outs) and who may be (re)subscribed
(campaigns.eligibility adds its own conditions). Written once as SQL `When` clauses,
so one chat message and a million-recipient broadcast are checked by the same text.

Order matters: the first matching reason is the one shown.
"""

from django.db.models import Case, CharField, Exists, Func, OuterRef, Q, Value, When
from django.db.models.functions import SHA256

from core.phones import PhoneReason, phone_normalize

from .models import CleanedReason, Profile, Suppression
from .models.profiles import NumberType


class Reason:
    ERASED = "Personal data erased: the number must never be messaged again"
    SUPPRESSED = "On the suppression list: the number must never be messaged again"
    BLACKLISTED = "Blacklisted"
    DEACTIVATED = "Phone was deactivated"
    HARD_BOUNCE = "Cleaned after a hard bounce"
    SOFT_BOUNCE = "Cleaned after repeated soft bounces"
    INVALID_DATA = "Invalid profile data"
    LANDLINE = PhoneReason.LANDLINE
    INVALID_NUMBER = PhoneReason.INVALID
    OPTED_OUT_ALL = "Opted out of all campaigns"
    NO_STANDING = "No opt-out record for this profile"
    OPTED_OUT_CAMPAIGN = "Opted out of {campaign}"


class _PhoneDigest(SHA256):
    """SHA256 without pgcrypto: PostgreSQL 11+ has sha256(bytea) built in."""

    def as_postgresql(self, compiler, connection, **extra_context):
        return Func.as_sql(
            self,
            compiler,
            connection,
            template="ENCODE(SHA256(CONVERT_TO(%(expressions)s, 'UTF8')), 'hex')",
            **extra_context,
        )


def undeliverable_whens() -> list[When]:
    """The profile-only refusals, as `When` clauses over Profile rows (reason as value)."""
    suppressed = Exists(
        Suppression.objects.filter(
            company=OuterRef("company"), phone_digest=_PhoneDigest(OuterRef("phone_number"))
        )
    )
    return [
        When(erased_at__isnull=False, then=Value(Reason.ERASED)),
        When(suppressed, then=Value(Reason.SUPPRESSED)),
        When(blacklisted=True, then=Value(Reason.BLACKLISTED)),
        When(deactivated=True, then=Value(Reason.DEACTIVATED)),
        When(
            Q(cleaned_at__isnull=False, cleaned_reason=CleanedReason.HARD_BOUNCE),
            then=Value(Reason.HARD_BOUNCE),
        ),
        When(cleaned_at__isnull=False, then=Value(Reason.SOFT_BOUNCE)),
        When(invalid_data=True, then=Value(Reason.INVALID_DATA)),
        When(number_type=NumberType.LANDLINE, then=Value(Reason.LANDLINE)),
        # A trigger gives every profile its ProfileState row; if one were ever missing,
        # not knowing whether the number opted out means not texting it.
        When(standing__isnull=True, then=Value(Reason.NO_STANDING)),
    ]


def number_refusal(phone_number: str) -> str | None:
    """The part of the rule SQL cannot say: is the stored number a valid mobile number?"""
    result = phone_normalize(phone_number)
    if not result.valid:
        return Reason.INVALID_NUMBER
    if result.number_type == NumberType.LANDLINE:
        return Reason.LANDLINE
    return None


def undeliverable_reason(*, profile: Profile) -> str | None:
    """Why this profile's number cannot be texted at all, or None.

    Reads the profile's current row, not the possibly stale object passed in.
    """
    row = (
        Profile.objects.filter(pk=profile.pk)
        .annotate(refusal=Case(*undeliverable_whens(), default=Value(""), output_field=CharField()))
        .values_list("refusal", "phone_number")
        .first()
    )
    if row is None:
        return "The profile no longer exists"
    return row[0] or number_refusal(row[1])
