"""The send rules for a broadcast, as one set-based condition on profiles.

A broadcast addresses up to millions of profiles, so its fan-out cannot ask the
per-message send function about each number in turn. It uses the same rule the send
function uses, `messaging.compliance.refusal_expression`, over the whole audience at
once, plus the per-number check (`number_refusal`) on each chunk's rows.
"""

from django.db.models import Q, QuerySet

from messaging.compliance import number_refusal, refusal_expression
from profiles.models import Profile

from .models import Campaign


def with_refusal(profiles: QuerySet[Profile], *, campaign: Campaign) -> QuerySet[Profile]:
    """`profiles` annotated with `refusal`: '' when textable, else the reason."""
    return profiles.annotate(refusal=refusal_expression(campaign=campaign))


def deliverable_q() -> Q:
    """Condition on a queryset made by `with_refusal`."""
    return Q(refusal="")


def invalid_number_ids(rows: list[tuple[int, str]]) -> list[int]:
    """Profile ids among (id, phone_number) rows whose stored number cannot be texted."""
    return [pk for pk, phone in rows if number_refusal(phone)]
