"""The suppression list: numbers that must never be texted, kept without a profile.

An erasure puts a number here (profiles.services.profile_erase); so does a manual
opt-out of a number the company has no profile for, so that a later upload, API call or
keyword cannot subscribe it and text it. Only SHA-256 digests are stored
(core.phones.phone_digest). The send rule (campaigns.compliance) refuses every
listed number; the paths that create profiles or subscriptions check `phone_suppressed`.
"""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction

from core.phones import phone_digest

from .models import Suppression

MANUAL_OPT_OUT_WITHOUT_PROFILE = "Manual opt-out without profile"


@transaction.atomic
def phones_suppress(
    *,
    company_id: int,
    numbers: Iterable[str],
    reason: str,
    actor: User | None = None,
) -> int:
    """Add E.164 numbers to the company's list; returns how many were not on it yet."""
    digests = sorted({phone_digest(n) for n in numbers if n})
    if not digests:
        return 0
    listed = set(
        Suppression.objects.filter(company_id=company_id, phone_digest__in=digests).values_list(
            "phone_digest", flat=True
        )
    )
    created_by = actor if actor is not None and actor.is_authenticated else None
    Suppression.objects.bulk_create(
        [
            Suppression(
                company_id=company_id, phone_digest=d, reason=reason[:100], created_by=created_by
            )
            for d in digests
            if d not in listed
        ],
        batch_size=5000,
        ignore_conflicts=True,  # a concurrent list of the same number
    )
    return len(set(digests) - listed)


def phones_suppressed(*, company_id: int, numbers: Iterable[str]) -> set[str]:
    """Which of the E.164 numbers are on the company's suppression list."""
    by_digest = {phone_digest(n): n for n in numbers if n}
    found = Suppression.objects.filter(
        company_id=company_id, phone_digest__in=list(by_digest)
    ).values_list("phone_digest", flat=True)
    return {by_digest[d] for d in found}
