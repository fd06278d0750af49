"""Who may be texted: the one rule every outgoing message is checked against.

The rule is written once, as a database expression (`refusal_expression`), so that
`refusal_reason` for one chat message and `textable_profiles` for a million-recipient
broadcast cannot drift apart. Only the phone-number check runs in Python, because it
needs libphonenumber's metadata; both paths call the same `number_refusal` for it.

Order matters: the first matching reason is the one shown to agents.
"""

from django.db.models import (
    Case,
    CharField,
    Exists,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import SHA256

from profiles.models import CleanedReason, Company, Profile, Suppression
from profiles.models.profiles import NumberType
from profiles.phones import PhoneReason, phone_normalize


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

    def as_postgresql(self, compiler, connection, **extra_context):  # type: ignore[override]
        return Func.as_sql(
            self,
            compiler,
            connection,
            template="ENCODE(SHA256(CONVERT_TO(%(expressions)s, 'UTF8')), 'hex')",
            **extra_context,
        )


def refusal_expression(*, campaign=None, allow_opted_out: bool = False) -> Case:
    """The refusal reason of each profile row as SQL ('' when it may be texted).

    `allow_opted_out` is only for the confirmation of an opt-out, which by definition
    goes to a number that has just opted out (see services.COMPLIANCE_EXEMPTABLE).
    """
    from campaigns.models import Subscription  # campaigns depends on profiles, not back

    suppressed = Exists(
        Suppression.objects.filter(
            company=OuterRef("company"), phone_digest=_PhoneDigest(OuterRef("phone_number"))
        )
    )
    whens = [
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
    if not allow_opted_out:
        whens.append(When(standing__opted_out_globally=True, then=Value(Reason.OPTED_OUT_ALL)))
        if campaign is not None:
            # Re-joining a campaign adds a new Active row and keeps the opted-out one as
            # history, so "opted out of this campaign" means: an opted-out row and no
            # active one.
            subs = Subscription.objects.filter(profile=OuterRef("pk"), campaign=campaign)
            opted_out = Exists(subs.filter(status=Subscription.Status.OPTED_OUT)) & ~Exists(
                subs.filter(status=Subscription.Status.ACTIVE)
            )
            whens.append(
                When(
                    opted_out,
                    then=Value(Reason.OPTED_OUT_CAMPAIGN.format(campaign=campaign.name)),
                )
            )
    return Case(*whens, default=Value(""), output_field=CharField())


def number_refusal(phone_number: str) -> str | None:
    """The part of the rule SQL cannot say: is the stored number a valid mobile number?"""
    result = phone_normalize(phone_number)
    if not result.valid:
        return Reason.INVALID_NUMBER
    if result.number_type == NumberType.LANDLINE:
        return Reason.LANDLINE
    return None


def refusal_reason(*, profile: Profile, campaign=None, allow_opted_out: bool = False) -> str | None:
    """Why this profile may not be texted now (in this campaign), or None if it may.

    Reads the profile's current row, not the possibly stale object passed in: a STOP
    that arrived a moment ago must win over whatever the caller loaded earlier.
    """
    reason = (
        Profile.objects.filter(pk=profile.pk)
        .annotate(refusal=refusal_expression(campaign=campaign, allow_opted_out=allow_opted_out))
        .values_list("refusal", "phone_number")
        .first()
    )
    if reason is None:
        return "The profile no longer exists"
    sql_reason, phone_number = reason
    return sql_reason or number_refusal(phone_number)


def textable_profiles(*, company: Company, campaign=None) -> QuerySet[Profile]:
    """Profiles of the company that pass the SQL part of the rule for this campaign.

    Callers still apply `number_refusal` to each row (message_send_many does).
    """
    return (
        Profile.objects.for_company(company)
        .annotate(refusal=refusal_expression(campaign=campaign))
        .filter(refusal="")
    )


def profiles_with_refusal(profiles: QuerySet[Profile], *, campaign=None) -> QuerySet[Profile]:
    """The given profiles annotated with `refusal` (the SQL reason, '' when textable)."""
    return profiles.annotate(refusal=refusal_expression(campaign=campaign))
