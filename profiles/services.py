"""Writes to profiles that several apps share. Each runs inside the caller's transaction."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from .models import ActivityEvent, Profile


def activity_record(
    *,
    profile: Profile,
    kind: str,
    actor: AbstractBaseUser | None = None,
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
