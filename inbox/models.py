from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from accounts.models import Company, CompanyQuerySet
from core.list_uploads import ListUpload


class BulkOptOut(ListUpload):
    """A manual bulk opt-out (seed 003): an uploaded or pasted list of numbers.

    A list-upload job of core (kind "inbox.bulk_opt_out"): the per-row outcomes are
    written to `results_file` as CSV; the counts stay here.
    """

    files_folder = "bulk_opt_outs"

    class Status(models.TextChoices):
        # Uploaded, waiting for the Admin to confirm the count and the scope.
        CONFIRMING = "confirming", "Waiting for confirmation"
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="bulk_opt_outs")
    objects = CompanyQuerySet.as_manager()
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Blank: opt out of every campaign of the company",
    )
    # The job's statuses, and one before them: the Admin has not confirmed yet.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    opted_out_count = models.PositiveIntegerField(default=0)
    already_opted_out_count = models.PositiveIntegerField(default=0)
    no_profile_count = models.PositiveIntegerField(default=0)
    invalid_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]


class InboxConversation(models.Model):
    """One person's conversation with the company in one campaign, as the team works it.

    The state says whose turn it is: needs reply (the person wrote last), waiting (an
    agent answered) or closed. `inbox.conversations` is the one place that changes it.
    messaging.Conversation is another thing: what an automated flow (question, info
    request, one-on-one chat) expects from the number next, used to type the next MO.
    """

    class State(models.TextChoices):
        NEEDS_REPLY = "needs_reply", "Needs reply"
        WAITING = "waiting", "Waiting on the person"
        CLOSED = "closed", "Closed"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    objects = CompanyQuerySet.as_manager()
    profile = models.ForeignKey(
        "profiles.Profile", on_delete=models.CASCADE, related_name="inbox_conversations"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEEDS_REPLY)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # Incoming texts no one has opened the conversation to read since they arrived.
    unread = models.PositiveIntegerField(default=0)
    last_incoming = models.ForeignKey(
        "messaging.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_incoming_at = models.DateTimeField(null=True, blank=True)
    last_reply_at = models.DateTimeField(null=True, blank=True)
    # The list's order: the newest incoming text or reply.
    last_activity_at = models.DateTimeField()
    tags: "models.ManyToManyField[ConversationTag, Any]" = models.ManyToManyField(
        "ConversationTag", blank=True, related_name="conversations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "inbox conversation"
        constraints = [
            # NULLS NOT DISTINCT: a text in no campaign (unmatched) still has one
            # conversation per profile, not one per text.
            models.UniqueConstraint(
                fields=["profile", "campaign"],
                name="inbox_conversation_profile_campaign",
                nulls_distinct=False,
            )
        ]
        indexes = [
            # The list: one state of one company, newest first (mine and unassigned
            # filter the same index's rows by assignee).
            models.Index(
                fields=["company", "state", "-last_activity_at"], name="inbox_conv_state_time"
            ),
            models.Index(fields=["company", "assignee", "state"], name="inbox_conv_assignee_state"),
            # The navigation's unread count reads this small partial index on every page.
            models.Index(
                fields=["company"],
                name="inbox_conv_unread",
                condition=models.Q(state="needs_reply", unread__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk} ({self.get_state_display()})"


class ConversationTag(models.Model):
    """A label on conversations ("housing", "needs callback"), one list per company."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    objects = CompanyQuerySet.as_manager()
    name = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                models.F("company"), Lower("name"), name="conversation_tag_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ConversationNote(models.Model):
    """An internal note on a conversation: read by the team, never sent to the person."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    objects = CompanyQuerySet.as_manager()
    conversation = models.ForeignKey(
        InboxConversation, on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class CannedResponse(models.Model):
    """A named text agents insert into a reply with "/" (plain text for now)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    objects = CompanyQuerySet.as_manager()
    name = models.CharField(max_length=60)
    body = models.TextField(max_length=1600)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                models.F("company"), Lower("name"), name="canned_response_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name
