"""Writes about companies and who works in them: company settings (the time zone pages
show, the sending window broadcasts keep within), memberships and roles (Settings →
Users) and API tokens (Settings → API tokens)."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import ServiceError

from .models import ApiToken, Company, Membership, Role, validate_time_zone


class AccountActionError(ServiceError):
    """A change to a company or its members the rules refuse; the message is shown as is."""


class CompanySettingsError(AccountActionError):
    """A company setting the rules refuse; the message is shown as is."""


def _hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M")


@transaction.atomic
def company_set_time_zone(*, company: Company, time_zone: str) -> Company:
    name = time_zone.strip()
    try:
        validate_time_zone(name)
    except ValidationError as exc:
        raise CompanySettingsError(exc.messages[0]) from exc
    company = Company.objects.select_for_update().get(pk=company.pk)
    company.time_zone = name
    company.save(update_fields=["time_zone"])
    return company


@transaction.atomic
def company_sending_window_set(
    *, company: Company, start: dt.time | None, end: dt.time | None
) -> Company:
    """Narrow the company's broadcast window. None keeps the legal bound on that side.

    The legal window (SMS_SENDING_WINDOW_START–END, 08:00–21:00 under the TCPA) is the
    widest allowed: a company may end earlier (some states stop at 20:00) or start
    later, never the other way.
    """
    legal_start, legal_end = settings.SMS_SENDING_WINDOW_START, settings.SMS_SENDING_WINDOW_END
    if start is not None and start < legal_start:
        raise CompanySettingsError(
            f"Broadcasts cannot start before {_hhmm(legal_start)} in the recipient's time."
        )
    if end is not None and end > legal_end:
        raise CompanySettingsError(
            f"Broadcasts cannot end after {_hhmm(legal_end)} in the recipient's time."
        )
    if (start or legal_start) >= (end or legal_end):
        raise CompanySettingsError("The window must start before it ends.")
    locked = Company.objects.select_for_update().get(pk=company.pk)
    locked.send_window_start = start if start != legal_start else None
    locked.send_window_end = end if end != legal_end else None
    locked.save(update_fields=["send_window_start", "send_window_end"])
    company.send_window_start = locked.send_window_start
    company.send_window_end = locked.send_window_end
    return locked


# --- Members and roles (Settings → Users) ------------------------------------------------


class UserAdminError(AccountActionError):
    """A membership change the rules refuse (Settings → Users)."""


@transaction.atomic
def membership_invite(
    *,
    company: Company,
    username: str,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> tuple[Membership, str]:
    """Give a person a role in the company, creating their login if they have none.

    Returns (membership, password): the password is the generated one for a new user
    when none was given (shown once to the Admin), else "".
    """
    if role not in Role.values:
        raise UserAdminError(f"Unknown role “{role}”.")
    users = get_user_model()
    user = users.objects.filter(username__iexact=username.strip()).first()
    generated = ""
    if user is None:
        if not email.strip():
            raise UserAdminError("A new user needs an email address.")
        generated = "" if password else secrets.token_urlsafe(12)
        user = users.objects.create_user(
            username=username.strip(),
            email=email.strip(),
            password=password or generated,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
    elif Membership.objects.filter(user=user, company=company).exists():
        raise UserAdminError(f"{user.username} is already a member of {company.name}.")
    membership = Membership.objects.create(
        user=user,
        company=company,
        role=role,
        is_default=not Membership.objects.filter(user=user).exists(),
    )
    return membership, generated


def _admins_left(membership: Membership) -> int:
    return (
        Membership.objects.filter(company_id=membership.company_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .count()
    )


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise UserAdminError(f"Unknown role “{role}”.")
    if membership.role == Role.ADMIN and role != Role.ADMIN and not _admins_left(membership):
        raise UserAdminError("A company needs at least one Admin; make someone else Admin first.")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    if membership.user_id == actor.pk:
        raise UserAdminError("You cannot remove yourself; ask another Admin.")
    if membership.role == Role.ADMIN and not _admins_left(membership):
        raise UserAdminError("A company needs at least one Admin.")
    membership.delete()


# --- API tokens (Settings → API tokens) ---------------------------------------------------


class ApiTokenError(ServiceError, ValueError):
    """A token the rules refuse to issue; the message is shown as is."""


@transaction.atomic
def api_token_issue(
    *, company: Company, name: str, user: User, created_by: User
) -> tuple[ApiToken, str]:
    """A new bearer token acting as `user` in `company`. Returns (token, raw secret).

    Only the digest is stored; the raw secret is shown to the Admin once and cannot be
    recovered afterwards (a lost token is revoked and replaced).
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise ApiTokenError("Give the token a name of 1 to 100 characters.")
    if not user.is_superuser and not Membership.objects.filter(user=user, company=company).exists():
        raise ApiTokenError("A token can only act as a member of this company.")
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        company=company,
        user=user,
        name=name,
        digest=ApiToken.hash(raw),
        prefix=raw[:8],
        created_by=created_by,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
