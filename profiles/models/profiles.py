from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from accounts.models import Company, CompanyQuerySet


class ProfileStatus(models.TextChoices):
    """Subscription status as seed 001 names it (the CSV `status` column)."""

    ACTIVE = "Active Subscriber"
    FORMER = "Former Subscriber"
    NONE = "No Subscriptions"
    OPTED_OUT = "Opted Out"
    UNDELIVERABLE = "Undeliverable"
    SYNCED = "Synced"
    INVALID = "Invalid Profile Data"


class SourceType(models.TextChoices):
    """First seen type: how the profile entered the company's data set."""

    DONATED = "Donated"
    UPLOADED_GROUP = "Uploaded group"
    CALLED_MCONNECT = "Called mConnect"
    USED_MDATA = "Used mData"
    OPTED_IN = "Opted in"
    UNKNOWN = "Unknown"
    CRM = "CRM"
    API = "API"
    KEYWORD = "Keyword"
    WEB_FORM = "Web form"
    INBOX = "Inbox"


class OptOutSource(models.TextChoices):
    """Why a number stopped receiving messages; also the Undeliverable filter reasons."""

    STOP_WORD = "Texted a STOP word"
    HARD_BOUNCE = "Hard bounce"
    SOFT_BOUNCE = "Soft bounce"
    PROFILE = "Opt-out from profile"
    INBOX = "Opt-out from Inbox"
    DEACTIVATED = "Phone was deactivated"
    MANUAL = "Manual opt-out"
    BLACKLISTED = "Blacklisted"
    API = "Opt-out from API"
    ERASED = "Erased (GDPR)"
    # Consent revoked in the subscriber's own words (FCC 2025, messaging/revocations.py).
    FREE_TEXT = "Revoked in free text"


class CleanedReason(models.TextChoices):
    SOFT_BOUNCE = "Soft Bounce"
    HARD_BOUNCE = "Hard Bounce"


class Gender(models.TextChoices):
    """ISO/IEC 5218 codes."""

    NOT_KNOWN = "0", "Not known"
    MALE = "1", "Male"
    FEMALE = "2", "Female"
    NOT_APPLICABLE = "9", "Not applicable"


class NumberType(models.TextChoices):
    MOBILE = "mobile"
    LANDLINE = "landline"
    FIXED_OR_MOBILE = "fixed_or_mobile"
    VOIP = "voip"
    OTHER = "other"
    UNKNOWN = "unknown"


class CrmSync(models.Model):
    """A CRM integration that keeps profiles in step (the CRM match column)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="crm_syncs")
    objects = CompanyQuerySet.as_manager()
    name = models.CharField(max_length=200)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """One phone number in one company's data set, and everything known about its owner.

    The profile's subscription status and opt-out record live in its `standing`
    (ProfileState), a narrow row of its own: see that model for why.
    """

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="profiles")
    objects = CompanyQuerySet.as_manager()
    phone_number = models.CharField(max_length=20, help_text="E.164, e.g. +12025550123")
    first_name = models.CharField(max_length=100, blank=True, default="")
    last_name = models.CharField(max_length=100, blank=True, default="")
    email = models.EmailField(blank=True, default="")

    street1 = models.CharField(max_length=200, blank=True, default="")
    street2 = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    state = models.CharField(max_length=50, blank=True, default="")
    postal_code = models.CharField(max_length=20, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="US")

    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    precision = models.CharField(max_length=30, blank=True, default="")
    geocoded_city = models.CharField(max_length=100, blank=True, default="")
    geocoded_state = models.CharField(max_length=50, blank=True, default="")
    geocoded_postal_code = models.CharField(max_length=20, blank=True, default="")
    geocoded_country = models.CharField(max_length=2, blank=True, default="")

    congressional_district = models.CharField(max_length=20, blank=True, default="")
    state_upper_district = models.CharField(max_length=20, blank=True, default="")
    state_lower_district = models.CharField(max_length=20, blank=True, default="")
    split_district = models.BooleanField(default=False)

    carrier_name = models.CharField(max_length=100, blank=True, default="")
    number_type = models.CharField(
        max_length=20, choices=NumberType.choices, default=NumberType.UNKNOWN
    )
    number_country = models.CharField(max_length=2, blank=True, default="")

    source_type = models.CharField(
        max_length=30, choices=SourceType.choices, default=SourceType.UNKNOWN
    )
    source_name = models.CharField(max_length=200, blank=True, default="")
    source_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    cleaned_at = models.DateTimeField(null=True, blank=True)
    cleaned_reason = models.CharField(
        max_length=20, choices=CleanedReason.choices, blank=True, default=""
    )
    consecutive_soft_bounces = models.PositiveIntegerField(default=0)
    blacklisted = models.BooleanField(default=False)
    deactivated = models.BooleanField(default=False)
    invalid_data = models.BooleanField(default=False)
    invalid_data_description = models.CharField(max_length=200, blank=True, default="")
    erased_at = models.DateTimeField(null=True, blank=True)

    birthday = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=1, choices=Gender.choices, blank=True, default="")
    language = models.CharField(max_length=2, blank=True, default="", help_text="ISO 639-1")
    timezone = models.CharField(max_length=64, blank=True, default="", help_text="IANA name")

    # Seed 002's contact fields. db_default as well as default: the bulk paths (COPY
    # in seed_demo, INSERT … SELECT in group uploads) name only the columns they fill.
    constituent_id = models.CharField(
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text="The person's id in your CRM or platform (the API's constituent_id)",
    )
    email_blacklisted = models.BooleanField(
        default=False, db_default=False, help_text="On the email blacklist (no emails)"
    )
    avatar_url = models.URLField(blank=True, default="", db_default="")
    contact_score = models.IntegerField(null=True, blank=True)

    crm_sync = models.ForeignKey(
        CrmSync, null=True, blank=True, on_delete=models.SET_NULL, related_name="profiles"
    )
    crm_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "phone_number"], name="profile_unique_phone_per_company"
            )
        ]
        indexes = [
            # Default sort of the profiles table: first seen date, id as tie-breaker.
            models.Index(fields=["company", "-created_at", "-id"], name="profile_first_seen"),
            models.Index(fields=["company", "source_type"], name="profile_source_type"),
            models.Index(fields=["company", "updated_at"], name="profile_updated"),
            # The API lists a company's profiles by id; this makes deep pages an
            # index-only scan instead of a walk over every skipped row.
            models.Index(fields=["company", "id"], name="profile_company_id"),
            models.Index(
                fields=["company", "constituent_id"],
                name="profile_constituent_id",
                condition=~models.Q(constituent_id=""),
            ),
            models.Index(Upper("email"), name="profile_email_upper"),
            # Substring search uses trigram GIN indexes, created by migration 0002.
        ]

    def __str__(self) -> str:
        return self.phone_number

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def phone_digits(self) -> str:
        """The number as the API and CSV exports show it: digits with country code."""
        return self.phone_number.lstrip("+")

    @property
    def is_cleaned(self) -> bool:
        return self.cleaned_at is not None


class ProfileState(models.Model):
    """A profile's subscription status and opt-out record: the part that opt-outs write.

    Kept out of `Profile` on purpose. A profile row is wide and carries fifteen
    indexes, four of them trigram GIN for substring search; every UPDATE of it writes
    a new row version into all of them. A manual opt-out of 100,000 numbers rewriting
    100,000 profile rows took 15 s and 700 MB of WAL on its own; the same UPDATE of
    these narrow rows (about a hundred to a page, three indexes) takes under 2 s.

    Every profile has exactly one: a database trigger (migration 0006) inserts it
    with the defaults below whenever a profile row is inserted, whatever inserts it
    (the ORM, bulk_create, COPY, INSERT … SELECT), so no code path can forget it.

    `status` and `status_description` are maintained columns, not computed on read:
    the profiles table filters and exports millions of rows by status, and an
    expression over subscriptions would cost a join per row. They are written only by
    `profiles.status` (profile_refresh_status), which every service that changes a
    subscription, an opt-out, a blacklist or a bounce calls in the same transaction.
    """

    profile = models.OneToOneField(
        Profile, primary_key=True, on_delete=models.CASCADE, related_name="standing"
    )
    status = models.CharField(
        max_length=30, choices=ProfileStatus.choices, default=ProfileStatus.NONE
    )
    status_description = models.CharField(max_length=200, blank=True, default="")
    # opted_out_at/opted_out_source record the latest opt-out of any kind (what the CSV
    # and API show); opted_out_globally means "opted out of every campaign" (STOP ALL,
    # company-wide manual opt-out, API opt-out without campaign) and blocks all sends.
    opted_out_globally = models.BooleanField(default=False)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    opted_out_source = models.CharField(
        max_length=40, choices=OptOutSource.choices, blank=True, default=""
    )
    # When the status or the opt-out record last changed (empty: not since the profile
    # was created). The API's "updated since" reads the later of this and the
    # profile's own updated_at.
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status"], name="profile_state_status"),
            # The Undeliverable filters ("Texted a STOP word", …) match the description
            # and two statuses; with the profile id in the index their count reads the
            # index alone, never the rows (tens of thousands at a million profiles).
            models.Index(
                fields=["status_description", "status", "profile"], name="profile_state_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.status}"


class Suppression(models.Model):
    """A number that must never be messaged again, kept after a GDPR erasure.

    Only a SHA-256 digest of the E.164 number is stored, so the suppression list does
    not itself hold the personal data it protects.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="suppressions")
    objects = CompanyQuerySet.as_manager()
    phone_digest = models.CharField(max_length=64)
    reason = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "phone_digest"], name="suppression_unique_per_company"
            )
        ]


class CustomFieldType(models.TextChoices):
    STRING = "string"
    DATE = "date"
    GENDER = "gender"
    NUMBER = "number"
    AGE = "age"
    YESNO = "yesno"
    TIME_OF_DAY = "time_of_day"
    ANNIVERSARY = "anniversary"


class CustomField(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="custom_fields")
    objects = CompanyQuerySet.as_manager()
    name = models.CharField(max_length=100)
    field_type = models.CharField(
        max_length=20, choices=CustomFieldType.choices, default=CustomFieldType.STRING
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="custom_field_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CustomFieldValue(models.Model):
    """One value per profile and field, stored as validated canonical text."""

    # No separate FK indexes: the unique (profile, field) and the (field, value) indexes
    # already serve both lookups, and this table holds several rows per profile.
    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, db_index=False, related_name="custom_values"
    )
    field = models.ForeignKey(
        CustomField, on_delete=models.CASCADE, db_index=False, related_name="values"
    )
    value = models.CharField(max_length=1000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "field"], name="custom_value_unique")
        ]
        indexes = [models.Index(fields=["field", "value"], name="custom_value_lookup")]
