"""Who works where: companies, their members' roles and the API tokens they issue.

Every app scopes its rows by company, so these models sit at the bottom with no
knowledge of profiles, campaigns or messages. They were first made by the profiles app
and keep its tables (`db_table`); the accounts migrations only moved them in Django's state.
"""

import hashlib
import secrets
import uuid
import zoneinfo
from typing import Self, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def _company_key() -> str:
    # The API's company parameter takes keys shaped like CO29A6F95DBFB7A03A7D9F61DDA4468D9B.
    return "CO" + uuid.uuid4().hex.upper()


DEFAULT_TIME_ZONE = "America/New_York"


def validate_time_zone(name: str) -> None:
    """An IANA zone name the server's tz database knows, e.g. America/Chicago."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            f"“{name}” is not a time zone. Use a name like America/Chicago."
        ) from exc


class Company(models.Model):
    """A firm, client or affiliate. Owns every profile, campaign, group, message and export."""

    name = models.CharField(max_length=200)
    key = models.CharField(max_length=34, unique=True, default=_company_key, editable=False)
    short_code = models.CharField(max_length=20, blank=True, default="")
    advocacy_enabled = models.BooleanField(
        default=True, help_text="Show legislators and districts (last_saved_districts in the API)."
    )
    # Null: the legal window (settings.SMS_SENDING_WINDOW_START/END). A company may only
    # narrow it (accounts.services.company_sending_window_set checks that).
    send_window_start = models.TimeField(
        null=True, blank=True, help_text="Broadcasts start no earlier than this local time"
    )
    send_window_end = models.TimeField(
        null=True, blank=True, help_text="Broadcasts stop at this local time"
    )
    time_zone = models.CharField(
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text="Every page shows times in this zone (an IANA name such as America/Chicago).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "profiles_company"
        verbose_name_plural = "companies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The company's zone; a name the tz database no longer knows falls back to UTC
        rather than breaking every page."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


class Role(models.TextChoices):
    STAFF = "staff", "Staff"
    AGENT = "agent", "Agent"
    ANALYST = "analyst", "Analyst"
    ADMIN = "admin", "Admin"


class Membership(models.Model):
    """A user's role in one company. A user may belong to several companies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    is_default = models.BooleanField(default=False)
    # The sender's own phone for broadcast test sends, remembered from the last test.
    # Per company: the number needs a profile in the company that receives the test.
    test_phone = models.CharField(max_length=20, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "profiles_membership"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "company"], name="membership_unique_user_company"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.company} ({self.get_role_display()})"


class ApiToken(models.Model):
    """A bearer token an Admin issues for an integration. Only its SHA-256 digest is stored."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "profiles_apitoken"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def generate(cls) -> str:
        return "sc_" + secrets.token_urlsafe(32)


_Owned = TypeVar("_Owned", bound=models.Model)


class CompanyQuerySet(models.QuerySet[_Owned]):
    """Every company-owned model's manager. Pages, exports and the API reach rows only
    through `for_company`, so scoping to the current company lives in one place."""

    def for_company(self, company: Company | int) -> Self:
        return self.filter(company=company)
