"""Who may be texted: the one rule every outgoing message is checked against.

The rule is written once, as a database expression (`refusal_expression`), so that
`refusal_reason` for one chat message and `textable_profiles` for a million-recipient
broadcast cannot drift apart. Its profile-only part (erased, suppressed, blacklisted,
deactivated, cleaned, invalid, landline) is profiles.deliverability's, shared with the
subscription rule (campaigns.eligibility); the opt-outs are added here. Only the
phone-number check runs in Python, because it needs libphonenumber's metadata; both
paths call the same `number_refusal` for it.

Order matters: the first matching reason is the one shown to agents.

It lives in campaigns, below messaging, because it reads only profiles and their
subscriptions: messaging's send functions apply it, and the broadcast estimate
(campaigns.selectors) counts with the very same expression.
"""

from typing import TYPE_CHECKING, TypedDict

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When

from accounts.models import Company
from profiles.deliverability import Reason, number_refusal, undeliverable_whens
from profiles.models import Profile

from .models import Subscription

if TYPE_CHECKING:
    # django-stubs' helper (a dev dependency): the row type of an annotated queryset.
    from django_stubs_ext import WithAnnotations


class RefusalAnnotation(TypedDict):
    refusal: str  # the SQL reason, '' when textable


# A number asked to confirm a double opt-in gets that request and nothing else until
# it answers YES (CTIA: no messages before the confirmation).
PENDING_CONFIRMATION = "Pending confirmation of a double opt-in"


def refusal_expression(
    *, campaign=None, allow_opted_out: bool = False, allow_pending: bool = False
) -> Case:
    """The refusal reason of each profile row as SQL ('' when it may be texted).

    `allow_opted_out` is only for the confirmation of an opt-out, which by definition
    goes to a number that has just opted out (see messaging.services.COMPLIANCE_EXEMPTABLE).
    `allow_pending` is only for the double opt-in's confirmation request (messaging.services
    passes it for that message type alone, MTType.OPT_IN_CONFIRMATION).
    """
    whens = undeliverable_whens()
    if not allow_pending:
        # Pending in this campaign (any campaign, without one) and subscribed to none
        # of it: only the confirmation request may go.
        # The pending numbers are an IN list that PostgreSQL hashes once per statement
        # (they are few). In one campaign a pending row and an active one never coexist
        # (campaigns.services_subscriptions.subscription_create, the only writer, drops the pending
        # row when the number subscribes otherwise), so the campaign's case needs no
        # "and not active": that check hashed every active subscriber of the campaign
        # and made the rule 1.5 times slower at 200,000 recipients.
        pending = Subscription.objects.filter(status=Subscription.Status.PENDING)
        if campaign is not None:
            pending_here = Q(pk__in=pending.filter(campaign=campaign).values("profile_id"))
        else:
            # No campaign (a single chat text): pending somewhere and subscribed nowhere.
            active = Subscription.objects.filter(
                profile=OuterRef("pk"), status=Subscription.Status.ACTIVE
            )
            pending_here = Q(~Exists(active), pk__in=pending.values("profile_id"))
        whens.append(When(pending_here, then=Value(PENDING_CONFIRMATION)))
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


def refusal_reason(
    *,
    profile: Profile,
    campaign=None,
    allow_opted_out: bool = False,
    allow_pending: bool = False,
) -> str | None:
    """Why this profile may not be texted now (in this campaign), or None if it may.

    Reads the profile's current row, not the possibly stale object passed in: a STOP
    that arrived a moment ago must win over whatever the caller loaded earlier.
    """
    reason = (
        Profile.objects.filter(pk=profile.pk)
        .annotate(
            refusal=refusal_expression(
                campaign=campaign, allow_opted_out=allow_opted_out, allow_pending=allow_pending
            )
        )
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


def profiles_with_refusal(
    profiles: QuerySet[Profile], *, campaign=None
) -> "QuerySet[WithAnnotations[Profile, RefusalAnnotation]]":
    """The given profiles annotated with `refusal` (the SQL reason, '' when textable)."""
    return profiles.annotate(refusal=refusal_expression(campaign=campaign))
