"""How people sign in: with a username or the login email, throttled per account.

The web and admin sign-ins are throttled by django-axes and the API by its own counter;
both name the account being guessed with `login_account_key`, so `staff`, `Staff` and
`staff@example.org` are one account with one allowance of failures, not three.
"""

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.http import HttpRequest


def user_for_login(login: str) -> User | None:
    """The user a typed login names: the email (any case) or the username (exact first)."""
    login = (login or "").strip()
    if not login:
        return None
    users = get_user_model().objects.order_by("id")
    if "@" in login:
        user = users.filter(email__iexact=login).first()
        if user is not None:
            return user
    field = get_user_model().USERNAME_FIELD
    return (
        users.filter(**{field: login}).first()
        or users.filter(**{f"{field}__iexact": login}).first()
    )


def login_account_key(login: str) -> str:
    """One name per account for throttling: the username of the user the login resolves
    to, else the login itself lower-cased (an unknown name still gets one bucket)."""
    user = user_for_login(login)
    if user is not None:
        return user.get_username()
    return (login or "").strip().lower()


def client_address(request: HttpRequest) -> str | None:
    """The address a sign-in comes from (AXES_CLIENT_IP_CALLABLE, and the API's throttle).

    Behind TRUSTED_PROXY_COUNT reverse proxies REMOTE_ADDR is the nearest proxy, which
    would put every client in one bucket; each proxy appends the address it saw to
    X-Forwarded-For, so the client is the entry the outermost proxy wrote. Entries left
    of it came from the client and are never trusted.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies and _is_address(forwarded[-proxies]):
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def sign_in_account(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """AXES_USERNAME_CALLABLE: the account a web or admin sign-in attempt is for."""
    source = credentials if credentials else request.POST
    return login_account_key(str(source.get("username") or ""))


class EmailOrUsernameBackend(ModelBackend):
    """Sign in with a username or the login email (the API's Basic auth uses the email)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            user = get_user_model().objects.filter(email__iexact=username).order_by("id").first()
            if user is not None:
                username = user.get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)
