"""Revocations of consent texted in free text (FCC 2025; messaging/revocations.py)."""

from django.conf import settings
from django.db import models

from accounts.models import Company, CompanyQuerySet
from profiles.models import Profile


class FreeTextRevocation(models.Model):
    """One incoming text that revoked, or probably revoked, consent in its own words.

    A clear revocation is opted out when it arrives and recorded here already decided,
    so the report can show how long every revocation took to honour; a probable one
    waits in the Opt-out review queue until an agent decides, or until its due date,
    when it is opted out automatically (the conservative reading of the rule).
    """

    class Kind(models.TextChoices):
        CLEAR = "clear", "Clear revocation"
        PROBABLE = "probable", "Probable revocation"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        OPTED_OUT = "opted_out", "Opted out"
        AUTO_OPTED_OUT = "auto_opted_out", "Opted out at the deadline"
        ALREADY_OPTED_OUT = "already_opted_out", "Already opted out"
        NOT_REVOCATION = "not_revocation", "Not a revocation"

    HONOURED = (Status.OPTED_OUT, Status.AUTO_OPTED_OUT, Status.ALREADY_OPTED_OUT)

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    objects = CompanyQuerySet.as_manager()
    message = models.OneToOneField(
        "messaging.Message", on_delete=models.PROTECT, related_name="revocation"
    )
    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(
        "messaging.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    rule = models.CharField(max_length=60, help_text="The classifier rule that matched")
    matched = models.CharField(max_length=160, blank=True, default="")
    received_at = models.DateTimeField()
    # Both in the company's zone: the last business day to honour it, and the business
    # day it escalates (REVOCATION_ESCALATE_BUSINESS_DAYS before).
    due_date = models.DateField()
    escalate_on = models.DateField()
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The queue and the periodic guard read only the pending rows.
            models.Index(
                fields=["company", "due_date"],
                condition=models.Q(status="pending"),
                name="revocation_pending_due",
            ),
            models.Index(fields=["company", "received_at"], name="revocation_company_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from message {self.message_id}"
