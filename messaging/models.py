import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Company, CompanyQuerySet
from profiles.models import Profile

from .credentials import credentials_decrypt, provider_credentials
from .sending_numbers import SendingNumber

# Message.gateway of what arrives on the generic JSON webhook (/messaging/inbound/).
# Provider-specific webhooks store their own names.
GENERIC_GATEWAY = "generic"
# Aggregator ids are far shorter (Twilio SIDs 34, Telnyx UUIDs 36, Bandwidth about 30);
# a longer one is refused where it arrives, never cut to fit.
GATEWAY_MESSAGE_ID_MAX_LENGTH = 100


class Channel(models.Model):
    """One of a company's sending numbers: a short code, a 10DLC long code, a toll-free
    number or an RCS agent, with the provider that carries it.

    The number is stored normalised (messaging.routing.number_normalize) so the number
    an inbound text was sent to finds its channel through the unique index below. The
    provider's credentials are a JSON object encrypted with CHANNEL_CREDENTIALS_KEYS
    (messaging.channels): never stored or shown in clear. The webhook token names the
    channel in the URLs pasted into the provider's console; it is random, so a URL
    cannot be guessed from a number, but the URL alone proves nothing: every request
    is still verified with the channel's credentials.
    """

    class Kind(models.TextChoices):
        SHORT_CODE = "short_code", "Short code"
        LONG_CODE_10DLC = "long_code_10dlc", "10DLC long code"
        TOLL_FREE = "toll_free", "Toll-free number"
        RCS_AGENT = "rcs_agent", "RCS agent"

    class Provider(models.TextChoices):
        TWILIO = "twilio", "Twilio"
        TELNYX = "telnyx", "Telnyx"
        BANDWIDTH = "bandwidth", "Bandwidth"
        GENERIC = "generic", "Generic aggregator (signed JSON webhook)"

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="channels")
    objects = CompanyQuerySet.as_manager()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    number = models.CharField(
        max_length=40, help_text="Normalised: a short code's digits, a long code in E.164"
    )
    provider = models.CharField(max_length=20, choices=Provider.choices)
    credentials_encrypted = models.TextField(blank=True, default="", editable=False)
    mps = models.PositiveIntegerField(
        "messages per second", validators=[MinValueValidator(1)], default=1
    )
    webhook_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-active", "number"]
        constraints = [
            # The receiving number decides the company: two active channels with one
            # number would make an inbound text (and its STOP) ambiguous.
            models.UniqueConstraint(
                fields=["number"], condition=Q(active=True), name="channel_active_number_unique"
            ),
            models.CheckConstraint(condition=Q(mps__gte=1), name="channel_mps_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_provider_display()})"

    def decrypted_credentials(self) -> dict[str, str]:
        """The decrypted credentials, for the provider modules only."""
        return credentials_decrypt(self.credentials_encrypted)

    # A template never calls it (Django renders string_if_invalid instead), so no page
    # can show a credential, even by mistake ({{ channel.decrypted_credentials }}).
    decrypted_credentials.alters_data = True  # type: ignore[attr-defined]  # a function attribute the template engine reads

    def sending_number(self) -> SendingNumber:
        return SendingNumber(
            key=f"channel:{self.pk}",  # the rate limiter's bucket: one per number
            number=self.number,
            provider=self.provider,
            credentials=provider_credentials(self.provider, self.decrypted_credentials()),
            mps=self.mps,
        )


class MOType(models.TextChoices):
    """Mobile-originated message types (seed 004)."""

    CLEAR_REQUEST = "clear_request"
    CALL_IN_RESPONSE = "call_in_response"
    CALL_IN = "call_in"
    DEACTIVATION = "deactivation"
    DIRECT_RESPONSE = "direct_response"
    DONATION_CONFIRMATION = "donation_confirmation"
    DONATION_DECLINE = "donation_decline"
    DONATION_RESPONSE = "donation_response"
    DONATION = "donation"
    DUPLICATE_OPT_IN = "duplicate_opt_in"
    FTAF_OPT_IN_CONFIRMATION = "ftaf_opt_in_confirmation"
    FTAF_OPT_IN_DECLINATION = "ftaf_opt_in_declination"
    FTAF_RESPONSE = "ftaf_response"
    HELP_REQUEST = "help_request"
    INFO_RESPONSE = "info_response"
    INVALID_CALL_IN_RESPONSE = "invalid_call_in_response"
    INVALID_DONATION_RESPONSE = "invalid_donation_response"
    INVALID_FTAF_RESPONSE = "invalid_ftaf_response"
    INVALID_INFO_RESPONSE = "invalid_info_response"
    INVALID_MDATA_QUERY = "invalid_mdata_query"
    INVALID_QUESTION_RESPONSE = "invalid_question_response"
    MDATA_QUERY = "mdata_query"
    OPT_IN_CONFIRMATION = "opt_in_confirmation"
    OPT_IN_DECLINATION = "opt_in_declination"
    OPT_IN = "opt_in"
    OPT_OUT = "opt_out"
    QUESTION_RESPONSE = "question_response"
    REACTIVATION = "reactivation"
    REPLY = "reply"
    SIMULTANEOUS = "simultaneous"
    UNKNOWN_HELP_REQUEST = "unknown_help_request"
    UNKNOWN_OPT_OUT = "unknown_opt_out"
    UNKNOWN = "unknown"
    UNMATCHED = "unmatched"


class MTType(models.TextChoices):
    """Mobile-terminated message types (seed 004)."""

    REGULAR_TEXT = "regular_text"
    INFO_REQUEST = "info_request"
    CALL_IN_REQUEST = "call_in_request"
    MDATA_REQUEST = "mdata_request"
    DONATION_REQUEST = "donation_request"
    OPT_IN_REQUEST = "opt_in_request"
    FTAF_REQUEST = "ftaf_request"
    FTAF_OPT_IN_REQUEST = "ftaf_opt_in_request"
    QUESTION = "question"
    DIRECT_MESSAGE = "direct_message"
    OPT_IN_CONFIRMATION = "opt_in_confirmation"
    CLEAR_RESPONSE = "clear_response"
    HELP_RESPONSE = "help_response"
    OPT_OUT_RECEIPT = "opt_out_receipt"
    MDATA_RESPONSE = "mdata_response"
    PERSISTENT_MDATA_RESPONSE = "persistent_mdata_response"
    T_AND_C_MESSAGE = "t_and_c_message"
    DONATION_CONFIRMATION = "donation_confirmation"
    DONATION_APPROVED = "donation_approved"
    DONATION_DECLINED = "donation_declined"
    DONATION_EXCEEDED = "donation_exceeded"
    DONATION_FAILURE = "donation_failure"
    DONATION_UNCONFIRMED = "donation_unconfirmed"
    DUPLICATE_SUBSCRIPTION_NOTIFICATION = "duplicate_subscription_notification"
    # Not a seed type: a broadcast's text sent to its sender's own phone before it goes
    # out. It belongs to no broadcast, so it never counts in broadcast statistics.
    BROADCAST_TEST = "broadcast_test"


class Attachment(models.Model):
    """Media for MMS, uploaded in the app or through the API's upload_attachment."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="attachments")
    objects = CompanyQuerySet.as_manager()
    name = models.CharField(max_length=200)
    file = models.FileField(upload_to="attachments/%Y/%m/")
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    """One SMS/MMS/RCS message in or out. Never deleted (seed 000: compliance history)."""

    # Not a column: seconds the carrier may keep trying, set for one send by
    # message_deliver (quiet hours) and read by the gateway.
    validity_period: int | None = None

    class Direction(models.TextChoices):
        MO = "mo", "Incoming (MO)"
        MT = "mt", "Outgoing (MT)"

    class Status(models.TextChoices):
        INITIAL = "Initial"
        QUEUED = "Queued"
        SENT = "Sent"
        UNDELIVERABLE = "Undeliverable"
        FAILED = "Failed Permanently"
        READ = "Read (RCS)"
        RECEIVED = "Received"

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        MMS = "mms", "MMS"
        RCS = "rcs", "RCS"

    class OriginatorType(models.TextChoices):
        SHORT_CODE = "short_code", "Short code"
        LONG_CODE = "long_code", "10DLC long code"
        RCS_AGENT = "rcs_agent", "RCS agent"

    company = models.ForeignKey(Company, on_delete=models.PROTECT, db_index=False, related_name="+")
    objects = CompanyQuerySet.as_manager()
    profile = models.ForeignKey(
        Profile,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="messages",
    )
    phone_number = models.CharField(max_length=20, help_text="E.164 of the subscriber")
    direction = models.CharField(max_length=2, choices=Direction.choices)
    message_type = models.CharField(max_length=40, help_text="MOType or MTType value")
    body = models.TextField(blank=True, default="")
    attachment = models.ForeignKey(
        Attachment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="messages",
    )
    media_url = models.URLField(blank=True, default="")
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    broadcast = models.ForeignKey(
        "campaigns.Broadcast",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="messages",
    )
    message_template = models.ForeignKey(
        "campaigns.MessageTemplate",
        null=True,
        blank=True,
        # History names its template: a used template cannot be deleted.
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    keyword = models.ForeignKey(
        "campaigns.Keyword",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    originator = models.CharField(max_length=40, blank=True, default="")
    originator_type = models.CharField(
        max_length=12, choices=OriginatorType.choices, default=OriginatorType.SHORT_CODE
    )
    channel = models.CharField(max_length=3, choices=Channel.choices, default=Channel.SMS)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INITIAL)
    status_reason = models.CharField(max_length=200, blank=True, default="")
    encoding = models.CharField(max_length=6, blank=True, default="GSM-7")
    segments = models.PositiveSmallIntegerField(default=1)
    multipart = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The aggregator that carried an MO and its id for it: a message id is unique per
    # company and gateway (the constraint below), which is how a redelivery is told.
    gateway = models.CharField(max_length=40, blank=True, default="", db_default="")
    gateway_message_id = models.CharField(
        max_length=GATEWAY_MESSAGE_ID_MAX_LENGTH, blank=True, default=""
    )
    # Set, in its own committed UPDATE, just before the provider is called; cleared when
    # the answer is written. A Queued message with it set is in flight: no worker sends
    # it again, and messaging.in_flight reconciles it if its worker died.
    sending_started_at = models.DateTimeField(null=True, blank=True)
    # An MO stored by the webhook's fast path and not yet classified (messaging.inbound:
    # message_classify clears it in the transaction that stores the classification).
    classification_pending = models.BooleanField(default=False, db_default=False)
    # The word a provider already answered for the subscriber (Twilio's OptOutType:
    # STOP, START, HELP), kept for the classification that runs after the webhook.
    provider_opt_out = models.CharField(max_length=5, blank=True, default="", db_default="")
    error_code = models.CharField(max_length=40, blank=True, default="")
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, db_index=False, related_name="+"
    )
    in_reply_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
        related_name="replies",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
        related_name="+",
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    # The carrier's "delivered" receipt. Status stays Sent (seed 004 has no Delivered);
    # this tells a delivered message from one only handed on, so a late throttling
    # receipt can never make a delivered message be sent again.
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Broadcast fan-out idempotency: a redelivered chunk cannot send twice.
            models.UniqueConstraint(
                fields=["broadcast", "profile"],
                condition=Q(broadcast__isnull=False, direction="mt"),
                name="message_once_per_broadcast_profile",
            ),
            # An aggregator redelivers a message it is unsure we received (and a replayed
            # request repeats one): the same id is stored once, whatever the timing.
            models.UniqueConstraint(
                fields=["company", "gateway", "gateway_message_id"],
                condition=Q(direction="mo") & ~Q(gateway_message_id=""),
                name="message_mo_once_per_gateway_id",
            ),
        ]
        # Messages are the biggest table and every write pays for every index, so the
        # plain foreign-key indexes are replaced: company, profile and broadcast lookups
        # use the composite indexes below, and the mostly-empty references get partial
        # indexes (enough for the integrity checks when a referenced row is removed).
        indexes = [
            models.Index(fields=["profile", "-created_at"], name="message_profile_time"),
            models.Index(
                fields=["company", "direction", "-created_at"], name="message_company_dir_time"
            ),
            models.Index(
                fields=["gateway_message_id"],
                name="message_gateway_id",
                condition=~Q(gateway_message_id=""),
            ),
            models.Index(fields=["broadcast", "status"], name="message_broadcast_status"),
            models.Index(
                fields=["sending_started_at"],
                name="message_in_flight",
                condition=Q(sending_started_at__isnull=False),
            ),
            # The texts still to classify, by sender: a classification catches up on the
            # number's earlier ones first (messaging.inbound), and the sweep reads them
            # all. Only rows awaiting a worker are in it, so it stays small under a burst.
            models.Index(
                fields=["company", "phone_number"],
                name="message_classification_pending",
                condition=Q(classification_pending=True),
            ),
            models.Index(
                fields=["status", "scheduled_at"],
                name="message_status_scheduled",
                condition=Q(scheduled_at__isnull=False),
            ),
            *(
                models.Index(
                    fields=[name],
                    name=f"message_{name}_set",
                    condition=Q(**{f"{name}__isnull": False}),
                )
                for name in (
                    "attachment",
                    "keyword",
                    "previous",
                    "in_reply_to",
                    "sent_by",
                    "message_template",
                )
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.message_type} {self.phone_number}"


class Conversation(models.Model):
    """What the platform is waiting for from a number in a campaign.

    An MO is classified against this: a pending question or info request makes the
    reply a question_response/info_response; an open one-on-one chat makes it a
    direct_response. The API's clear_conversation resets it.
    """

    class Awaiting(models.TextChoices):
        NOTHING = "", "Nothing"
        QUESTION = "question", "Question response"
        INFO = "info", "Info response"
        DIRECT = "direct", "One-on-one reply"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    objects = CompanyQuerySet.as_manager()
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="conversations")
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    awaiting = models.CharField(max_length=10, choices=Awaiting.choices, blank=True, default="")
    last_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "campaign"], name="conversation_unique_profile_campaign"
            )
        ]


# Kept in its own module; imported here so the app registers it and callers find it here.
from .models_revocation import FreeTextRevocation  # noqa: E402, F401  # a re-export at the end, after the models it refers to
