from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Company, CompanyQuerySet
from core.jobs import JobStatus
from core.list_uploads import ListUpload
from profiles.models import Group, Profile


class Tag(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="tags")
    objects = CompanyQuerySet.as_manager()
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="campaigns")
    objects = CompanyQuerySet.as_manager()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    active = models.BooleanField(default=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    help_text = models.CharField(
        max_length=640,
        blank=True,
        default="",
        help_text="Sent when a subscriber texts HELP. Reply STOP to opt out.",
    )
    opt_out_text = models.CharField(
        max_length=640,
        blank=True,
        default="You are unsubscribed and will receive no more messages. Reply OOPS to rejoin.",
    )
    timezone = models.CharField(max_length=64, default="America/New_York")
    # The sending number its messages leave from (messaging.channels.channel_for_message);
    # none: the company's first active channel.
    channel = models.ForeignKey(
        "messaging.Channel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="campaigns")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OptInPath(models.Model):
    """A way into a campaign (keyword, web form, API…) and the welcome flow it sends."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    objects = CompanyQuerySet.as_manager()
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="opt_in_paths")
    name = models.CharField(max_length=200)
    welcome_message = models.CharField(max_length=640, blank=True, default="")
    # Double opt-in: the subscription stays Pending until the number answers Y/YES to
    # `confirmation_text`; no answer in `confirmation_window_hours` leaves none.
    double_opt_in = models.BooleanField(default=False)
    confirmation_text = models.CharField(max_length=640, blank=True, default="")
    confirmation_window_hours = models.PositiveIntegerField(default=24)
    active = models.BooleanField(default=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="opt_in_paths")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class FlowStep(models.Model):
    """One step after an opt-in path's welcome message, in `position` order.

    A question saves the answer into a custom field (validated by the field's type); an
    info request saves a profile attribute; a message is sent and the flow goes on.
    """

    class Kind(models.TextChoices):
        QUESTION = "question", "Question (saved in a custom field)"
        INFO = "info", "Info request (saved in the profile)"
        MESSAGE = "message", "Message"

    class Attribute(models.TextChoices):
        POSTAL_CODE = "postal_code", "ZIP / postal code"
        EMAIL = "email", "Email"
        FIRST_NAME = "first_name", "First name"
        LAST_NAME = "last_name", "Last name"

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    objects = CompanyQuerySet.as_manager()
    opt_in_path = models.ForeignKey(OptInPath, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.QUESTION)
    body = models.CharField(max_length=640)
    retry_text = models.CharField(
        max_length=640, blank=True, default="", help_text="Sent when the answer does not fit"
    )
    custom_field = models.ForeignKey(
        "profiles.CustomField", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attribute = models.CharField(max_length=20, choices=Attribute.choices, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["opt_in_path", "position", "id"]

    def __str__(self) -> str:
        return f"{self.opt_in_path_id}#{self.position} {self.kind}"

    @property
    def waits(self) -> bool:
        return self.kind != self.Kind.MESSAGE


class FlowRun(models.Model):
    """A number's progress through an opt-in path's flow (the step it owes an answer to).

    At most one run per profile is open (pending a confirmation or waiting at a step): a
    text is an answer to that run or to nothing.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        WAITING = "waiting", "Waiting for an answer"
        DONE = "done", "Finished"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Not confirmed in time"
        CLEARED = "cleared", "Cleared"
        ENDED = "ended", "Ended"

    OPEN_STATES = (State.PENDING, State.WAITING)

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    objects = CompanyQuerySet.as_manager()
    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, related_name="flow_runs")
    opt_in_path = models.ForeignKey(OptInPath, on_delete=models.PROTECT, related_name="runs")
    subscription = models.ForeignKey(
        "Subscription", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices)
    step = models.ForeignKey(
        FlowStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invalid_answers = models.PositiveSmallIntegerField(default=0)
    last_message = models.ForeignKey(
        "messaging.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile"],
                condition=Q(state__in=["pending", "waiting"]),
                name="flow_run_one_open_per_profile",
            )
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                name="flow_run_pending_expiry",
                condition=Q(state="pending"),
            ),
            models.Index(fields=["opt_in_path", "profile"], name="flow_run_path_profile"),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} in {self.opt_in_path_id} ({self.state})"


class Keyword(models.Model):
    """A word texted to one of the company's numbers that opts the sender in.

    A keyword listens on one receiving number (`channel`), or, with none, on every
    number of the company. On one number a word means one thing: it is unique among the
    active keywords of that number, and a company-wide word is unique in the company
    and may not also be on one of its numbers (campaigns.services_campaigns.keyword_create).
    Two numbers, of one company or of two, may each have their own JOIN.
    """

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="keywords")
    objects = CompanyQuerySet.as_manager()
    opt_in_path = models.ForeignKey(OptInPath, on_delete=models.PROTECT, related_name="keywords")
    channel = models.ForeignKey(
        "messaging.Channel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="keywords",
        help_text="The number it answers on; empty: every number of the company",
    )
    name = models.CharField(max_length=50, help_text="Stored upper-case; matched ignoring case")
    active = models.BooleanField(default=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name"],
                condition=Q(active=True, channel__isnull=True),
                name="keyword_unique_active_per_company",
            ),
            models.UniqueConstraint(
                fields=["channel", "name"],
                condition=Q(active=True, channel__isnull=False),
                name="keyword_unique_active_per_channel",
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        self.name = self.name.strip().upper()
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """A profile's membership of a campaign. History is kept, never overwritten.

    Re-joining a campaign creates a new row; the old, opted-out row stays as history
    (seed 000: "Click to load subscription history"). At most one Active row exists per
    profile and campaign.
    """

    class Status(models.TextChoices):
        ACTIVE = "Active"
        OPTED_OUT = "Opted-Out"
        # Double opt-in: asked to confirm, not yet a subscriber (seed 001: "pending
        # confirmation" is not Active). Deleted when declined or not confirmed in time.
        PENDING = "Pending", "Pending confirmation"

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    objects = CompanyQuerySet.as_manager()
    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, related_name="subscriptions")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="subscriptions")
    opt_in_path = models.ForeignKey(
        OptInPath, null=True, blank=True, on_delete=models.PROTECT, related_name="subscriptions"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    opt_in_source = models.CharField(max_length=200, blank=True, default="")
    opt_in_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    opt_out_source = models.CharField(max_length=40, blank=True, default="")
    via_api = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "campaign"],
                condition=Q(status="Active"),
                name="subscription_one_active_per_campaign",
            ),
            models.UniqueConstraint(
                fields=["profile", "campaign"],
                condition=Q(status="Pending"),
                name="subscription_one_pending_per_campaign",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "profile"], name="subscription_campaign"),
            models.Index(fields=["profile", "status"], name="subscription_profile"),
            models.Index(fields=["campaign", "activated_at"], name="subscription_activated"),
            # The dashboard's roll-up counts a day's opt-outs per campaign.
            models.Index(
                fields=["campaign", "opted_out_at"],
                name="subscription_opted_out",
                condition=Q(opted_out_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} → {self.campaign} ({self.status})"


class CampaignSubscriberCount(models.Model):
    """A campaign's Active subscriptions as of the last fold (campaigns.subscriber_counts).

    The figure is this row plus the campaign's unfolded CampaignSubscriberDelta rows.
    No database foreign key: the demo reset and a campaign's deletion may remove the
    campaign before or after these rows, and the fold drops the rows left behind.
    """

    campaign = models.OneToOneField(
        Campaign,
        primary_key=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
    )
    active = models.BigIntegerField(default=0)


class CampaignSubscriberDelta(models.Model):
    """A change of a campaign's Active subscriptions by one SQL statement.

    Written only by the triggers on campaigns_subscription (migration 0014), read by
    the count and removed by the fold. Insert-only, so concurrent subscriptions to one
    campaign never wait on each other's row lock.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    delta = models.BigIntegerField()


class MessageTemplate(models.Model):
    """A named, reusable body of a campaign (merge fields allowed), picked in the
    broadcast form; a message sent from it records it (the API's message_template_id)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    objects = CompanyQuerySet.as_manager()
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="message_templates"
    )
    name = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"], name="message_template_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Broadcast(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        SCHEDULED = "scheduled"
        GENERATED = "generated"  # recipients chosen, messages being sent
        SENDING = "sending"
        SENT = "sent"
        CANCELED = "canceled"

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="broadcasts")
    objects = CompanyQuerySet.as_manager()
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="broadcasts")
    name = models.CharField(max_length=200)
    body = models.TextField()
    attachment = models.ForeignKey(
        "messaging.Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivery_time = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    include_subscribers = models.BooleanField(default=True)
    included_groups = models.ManyToManyField(Group, blank=True, related_name="+")
    excluded_groups = models.ManyToManyField(Group, blank=True, related_name="+")
    throttled = models.BooleanField(default=False)
    throttle_per_minute = models.PositiveIntegerField(null=True, blank=True)
    localtime = models.BooleanField(
        default=False, help_text="Deliver at delivery_time in each profile's own time zone"
    )
    automated = models.BooleanField(default=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="broadcasts")
    message_template = models.ForeignKey(
        MessageTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # URLs in the body go out as tracked links, one token per recipient (links app).
    shorten_links = models.BooleanField(default=False, db_default=False)

    estimated_recipients_count = models.PositiveIntegerField(default=0)
    recipients_count = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    undeliverable_count = models.PositiveIntegerField(default=0)
    replies_count = models.PositiveIntegerField(default=0)
    opt_outs_count = models.PositiveIntegerField(default=0)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "delivery_time"], name="broadcast_due")]

    def __str__(self) -> str:
        return self.name


class Fundraising(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="fundraisings")
    objects = CompanyQuerySet.as_manager()
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="fundraisings"
    )
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Donation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"
        DECLINED = "declined"
        FAILED = "failed"
        REFUNDED = "refunded"

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    objects = CompanyQuerySet.as_manager()
    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, related_name="donations")
    fundraising = models.ForeignKey(Fundraising, on_delete=models.PROTECT, related_name="donations")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    description = models.CharField(max_length=300, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    donated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-donated_at"]
        indexes = [models.Index(fields=["profile", "-donated_at"], name="donation_profile")]


class BroadcastChunk(models.Model):
    """One slice of a broadcast's fan-out: the recipients whose profile ids lie in [lo, hi].

    Chunks make the fan-out restartable. A chunk's messages and its counts commit in one
    transaction, and the (broadcast, profile) unique constraint on messages makes a
    redelivered chunk insert nothing new, so a worker killed mid-chunk costs a retry,
    never a duplicate. `not_before` spaces chunks for throttling and local-time delivery.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    lo_profile_id = models.BigIntegerField()
    hi_profile_id = models.BigIntegerField()
    timezone = models.CharField(
        max_length=64, blank=True, default="", help_text="Local-time broadcasts: this zone only"
    )
    not_before = models.DateTimeField()
    # Quiet hours moved `not_before` to the next opening of the window in `timezone`;
    # `planned_count` (the profiles in the id range) lets the broadcast page say how
    # many recipients are waiting without counting the audience again.
    held_for_window = models.BooleanField(default=False)
    planned_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    recipients_count = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    undeliverable_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["broadcast", "index"]
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "index"], name="broadcast_chunk_unique")
        ]
        indexes = [
            models.Index(fields=["status", "not_before"], name="broadcast_chunk_due"),
        ]

    def __str__(self) -> str:
        return f"{self.broadcast_id}#{self.index}"


class GroupUpload(ListUpload):
    """A CSV file of numbers added to an uploaded group, processed by a worker.

    A list-upload job of core (kind "campaigns.group_upload"): the per-row outcomes are
    written to `results_file` as CSV; the counts stay here.
    """

    Status = JobStatus  # the names the group pages and tests use
    files_folder = "group_uploads"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    objects = CompanyQuerySet.as_manager()
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="uploads")
    added_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    already_count = models.PositiveIntegerField(default=0)
    invalid_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_name or 'Upload'} → {self.group_id}"
