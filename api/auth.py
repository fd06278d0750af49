"""Who is calling and for which company.

Two ways in (seed 004 "Security"): HTTP Basic with the login email (or username) and
password, or `Authorization: Bearer <token>` with a token an Admin issued on the API
tokens page. The `company` parameter is a Company.key; without it the caller works in
their default company ("we default to your firm"). A token is bound to the company it
was issued in, so its caller cannot reach any other.

Failed sign-ins are counted in the cache per client address and the credential being
guessed: for Basic the account (its username and its email are one account, any case),
for Bearer the token's prefix. After SIGN_IN_FAILURE_LIMIT failures that pair is refused
with HTTP 429 (error 27) for SIGN_IN_LOCKOUT_MINUTES, so a password cannot be guessed
through the API, while other accounts and tokens from the same address keep working.
A valid token is never refused by the counter: it cannot be guessed, and refusing it
would let anyone who knows a token's prefix lock its integration out.

The web and admin sign-ins are throttled by django-axes; the API checks passwords with
the project's backend directly, so its failures count here only and it answers with its
own error XML, never axes' lockout page.
"""

import base64
import binascii
import hashlib
import hmac
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from accounts.auth import EmailOrUsernameBackend, client_address, login_account_key
from accounts.models import ApiToken, Company
from accounts.tenancy import default_company, role_in

from .errors import ApiError

log = logging.getLogger(__name__)

# Checking a password costs a deliberate ~100-500 ms (PBKDF2). Basic auth sends the
# password on every call, so a verified pair is remembered for a few minutes under an
# HMAC of the credentials (never the password itself); the entry also holds the user's
# password hash, so changing the password or deactivating the user ends it at once.
VERIFIED_LOGIN_TTL = 5 * 60


@dataclass
class Caller:
    user: User
    company: Company
    role: str
    token: ApiToken | None = None


def _unauthorized(message: str) -> ApiError:
    return ApiError(0, message, 401)


def _throttle_key(request: HttpRequest, credential: str) -> str:
    """`credential` names what is being guessed: "account:<username>" or "token:<prefix>"."""
    who = f"{client_address(request) or 'unknown'}|{credential}"
    return "api:failed-login:" + hashlib.sha256(who.encode()).hexdigest()


def _lockout_seconds() -> int:
    return settings.SIGN_IN_LOCKOUT_MINUTES * 60


def _locked(key: str) -> bool:
    return _failures(key) >= settings.SIGN_IN_FAILURE_LIMIT


def _failures(key: str) -> int:
    try:
        return int(cache.get(key) or 0)
    except Exception:  # a cache outage must not lock every client out
        log.warning("API login throttle: cache unavailable", exc_info=True)
        return 0


def _record_failure(key: str) -> None:
    try:
        cache.add(key, 0, _lockout_seconds())
        cache.incr(key)
    except Exception:
        log.warning("API login throttle: cache unavailable", exc_info=True)


def _throttled() -> ApiError:
    minutes = settings.SIGN_IN_LOCKOUT_MINUTES
    return ApiError(
        27,
        f"API rate limit exceeded: too many failed sign-ins, try again in {minutes} minutes",
        429,
        headers={"Retry-After": str(_lockout_seconds())},
    )


def _verified_key(username: str, password: str) -> str:
    secret = settings.SECRET_KEY.encode()
    digest = hmac.new(secret, f"{username}\0{password}".encode(), hashlib.sha256)
    return "api:verified-login:" + digest.hexdigest()


def _remembered_user(key: str) -> User | None:
    try:
        entry = cache.get(key)
    except Exception:
        return None
    if not entry:
        return None
    user_id, password_hash = entry
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not hmac.compare_digest(user.password, password_hash):
        return None
    return user


def _remember_user(key: str, user: User) -> None:
    try:
        cache.set(key, (user.pk, user.password), VERIFIED_LOGIN_TTL)
    except Exception:
        log.warning("API login cache unavailable", exc_info=True)


def _basic_user(request: HttpRequest, encoded: str) -> User:
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _unauthorized("Malformed Basic authorization header") from None
    username, sep, password = decoded.partition(":")
    if not sep or not username:
        raise _unauthorized("Malformed Basic authorization header")
    # A pair verified minutes ago proves the password (only its holder can present it),
    # so guesses at the account from the same address do not lock its owner out.
    verified = _verified_key(username, password)
    user = _remembered_user(verified)
    if user is not None:
        return user
    key = _throttle_key(request, "account:" + login_account_key(username))
    if _locked(key):
        raise _throttled()
    user = EmailOrUsernameBackend().authenticate(request, username=username, password=password)
    if user is None:
        _record_failure(key)
        raise _unauthorized("Invalid login email or password")
    _remember_user(verified, user)
    return user


def _bearer_token(request: HttpRequest, raw: str) -> ApiToken:
    raw = raw.strip()
    token = (
        ApiToken.objects.select_related("user", "company").filter(digest=ApiToken.hash(raw)).first()
    )
    if token is None or token.revoked_at is not None or not token.user.is_active:
        key = _throttle_key(request, "token:" + raw[:8])
        if _locked(key):
            raise _throttled()
        _record_failure(key)
        raise _unauthorized("Invalid or revoked API token")
    # One write per minute at most: a busy integration must not update the row per call.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def _company_for(user: User, key: str) -> tuple[Company, str | None]:
    """The company asked for (or the user's default) and the user's role there if known."""
    if not key:
        company = default_company(user)
        if company is None:
            raise ApiError(4, "Invalid company id: you are not a member of any company", 403)
        return company, None
    company = Company.objects.filter(key=key).first()
    role = role_in(user, company) if company is not None else None
    if company is None or role is None:
        raise ApiError(4, "Invalid company id", 403)
    return company, role


def caller_for(request: HttpRequest, company_key: str) -> Caller:
    """Authenticate the request and resolve its company; raise ApiError when refused."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, credentials = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "basic" and credentials:
        user = _basic_user(request, credentials)
        company, role = _company_for(user, company_key)
        token = None
    elif scheme == "bearer" and credentials:
        token = _bearer_token(request, credentials)
        user = token.user
        if company_key and company_key != token.company.key:
            raise ApiError(4, "Invalid company id: this token belongs to another company", 403)
        company, role = token.company, None
    else:
        raise _unauthorized("Authentication required: HTTP Basic or a Bearer token")
    role = role or role_in(user, company)
    if role is None:
        raise ApiError(4, "Invalid company id: you are not a member of this company", 403)
    return Caller(user=user, company=company, role=role, token=token)
