from django.conf import settings
from django.db import models

from accounts.models import Company, CompanyQuerySet

from .profiles import Profile


class Note(models.Model):
    """A staff note on a profile: at most 5 per profile, 500 characters each (seed 002)."""

    MAX_PER_PROFILE = 5
    MAX_LENGTH = 500

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="notes")
    body = models.CharField(max_length=MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class ActivityEvent(models.Model):
    """One thing that happened to a profile, with who did it.

    Messages are their own rows (messaging.Message) and join this feed when it is read;
    everything else (subscriptions, opt-outs, group changes, edits, notes, blacklist,
    erasure) is recorded here. Rows are never deleted: seed 000 keeps profile history
    for compliance audits, so the FK protects the profile.
    """

    class Kind(models.TextChoices):
        CREATED = "created", "Profile created"
        EDITED = "edited", "Profile edited"
        SUBSCRIBED = "subscribed", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        OPTED_OUT = "opted_out", "Opted out"
        REACTIVATED = "reactivated", "Reactivated"
        GROUP_ADDED = "group_added", "Added to group"
        GROUP_REMOVED = "group_removed", "Removed from group"
        CUSTOM_FIELD = "custom_field", "Custom field changed"
        NOTE_ADDED = "note_added", "Note added"
        NOTE_DELETED = "note_deleted", "Note deleted"
        BLACKLISTED = "blacklisted", "Added to phone blacklist"
        UNBLACKLISTED = "unblacklisted", "Removed from phone blacklist"
        EMAIL_BLACKLISTED = "email_blacklisted", "Added to email blacklist"
        EMAIL_UNBLACKLISTED = "email_unblacklisted", "Removed from email blacklist"
        DEACTIVATED = "deactivated", "Deactivated"
        ACTIVATED = "activated", "Activated"
        CLEANED = "cleaned", "Cleaned"
        ERASED = "erased", "Personal data erased"
        # An agent read a probable revocation as something else (messaging.revocation_services).
        NOT_REVOCATION = "not_revocation", "Read as not a revocation"
        # What agents do in an inbox conversation (inbox/conversations.py records them).
        CONVERSATION_CLAIMED = "conv_claimed", "Conversation claimed"
        CONVERSATION_RELEASED = "conv_released", "Conversation released"
        CONVERSATION_ASSIGNED = "conv_assigned", "Conversation assigned"
        CONVERSATION_TAKEN_OVER = "conv_taken_over", "Conversation taken over"
        CONVERSATION_TAGGED = "conv_tagged", "Conversation tagged"
        CONVERSATION_UNTAGGED = "conv_untagged", "Conversation tag removed"
        CONVERSATION_NOTE = "conv_note", "Internal note"
        CONVERSATION_CLOSED = "conv_closed", "Conversation closed"

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    objects = CompanyQuerySet.as_manager()
    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, related_name="activity")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=20, blank=True, default="", help_text="sms, mms, web…")
    origin = models.CharField(max_length=30, blank=True, default="", help_text="inbox, api, …")
    description = models.CharField(max_length=500, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["profile", "-created_at"], name="activity_profile_time")]
