from django.conf import settings
from django.db import models

from accounts.models import Company, CompanyQuerySet
from core.jobs import Job, JobStatus
from profiles.models import Group

__all__ = ["JobStatus"]  # re-exported: the reports pages and tests know it from here


class Export(Job):
    """One CSV export, a job of core.jobs (its kind "reports.export", run by a worker).

    `config` holds what the export needs to reproduce the rows the user saw (the
    profiles table's query string, a scope); the CSV lands in `results_file`.
    """

    files_folder = "exports"

    class Kind(models.TextChoices):
        PROFILES = "profiles", "Profiles"
        MESSAGES = "messages", "Messages"
        BULK_OPT_OUT_RESULTS = "bulk_opt_out_results", "Bulk opt-out results"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="exports")
    objects = CompanyQuerySet.as_manager()
    kind = models.CharField(max_length=30, choices=Kind.choices)
    name = models.CharField(max_length=200)
    config = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="exports"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="export_stalled")]

    def __str__(self) -> str:
        return self.name


class ProfileAnalysis(models.Model):
    """A recurring analysis whose result is written into an uploaded profile group."""

    class AnalysisType(models.TextChoices):
        FREQUENT_MT_FAILURES = "frequent_mt_failures", "Frequent MT failures"
        BROADCAST_NON_RESPONDERS = "broadcast_non_responders", "Broadcast non-responders"

    class Recurring(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="analyses")
    objects = CompanyQuerySet.as_manager()
    name = models.CharField(max_length=200)
    analysis_type = models.CharField(max_length=30, choices=AnalysisType.choices)
    recurring = models.CharField(max_length=10, choices=Recurring.choices)
    parameters = models.JSONField(
        default=dict,
        help_text="e.g. {'mt_failures': 3, 'period_days': 30} or "
        "{'broadcasts': 3, 'period_days': 30, 'response_hours': 48}",
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="analyses"
    )
    last_processed_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "profile analyses"

    def __str__(self) -> str:
        return self.name


class ProfileAnalysisRun(Job):
    """One run of an analysis, a job of core.jobs (kind "reports.analysis_run"): queued
    pending by "Run now" or the periodic task, claimed and run by a worker."""

    analysis = models.ForeignKey(ProfileAnalysis, on_delete=models.CASCADE, related_name="runs")
    ran_at = models.DateTimeField(auto_now_add=True)
    group_size = models.PositiveIntegerField(default=0)
    failures_by_reason = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-ran_at"]


# --- Dashboard aggregates -------------------------------------------------------------
# Written only by reports.rollup (the periodic roll-up and the backfill command); the
# Home page and the broadcast reports read them and never the messages table. A day is
# a calendar day of the company's own time zone.


class CompanyDay(models.Model):
    """One company's program on one day: opt-ins, opt-outs, messages out and in."""

    # No index of its own: the unique (company, day, …) below serves every lookup.
    company = models.ForeignKey(Company, on_delete=models.CASCADE, db_index=False, related_name="+")
    objects = CompanyQuerySet.as_manager()
    day = models.DateField()
    # Subscriptions started (activated) and ended (opted out) that day: one person in
    # one campaign counts once per campaign, as the campaign's subscriber list does.
    opt_ins = models.PositiveIntegerField(default=0)
    opt_outs = models.PositiveIntegerField(default=0)
    # Outgoing messages created that day, and what became of them since.
    sent = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)  # the carrier's receipt said so
    failed = models.PositiveIntegerField(default=0)  # Failed Permanently at the carrier
    undeliverable = models.PositiveIntegerField(default=0)  # refused by the send rule
    replies = models.PositiveIntegerField(default=0)  # incoming messages
    rolled_up_at = models.DateTimeField()

    class Meta:
        ordering = ["company", "day"]
        constraints = [
            models.UniqueConstraint(fields=["company", "day"], name="company_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.day}"

    @property
    def net(self) -> int:
        return self.opt_ins - self.opt_outs


class FailureDay(models.Model):
    """Outgoing messages of one day that did not get through, by reason."""

    class Kind(models.TextChoices):
        FAILED = "failed", "Failed at the carrier"
        UNDELIVERABLE = "undeliverable", "Not sent (send rule)"

    # No index of its own: the unique (company, day, …) below serves every lookup.
    company = models.ForeignKey(Company, on_delete=models.CASCADE, db_index=False, related_name="+")
    objects = CompanyQuerySet.as_manager()
    day = models.DateField()
    kind = models.CharField(max_length=14, choices=Kind.choices)
    reason = models.CharField(max_length=200)
    count = models.PositiveIntegerField(default=0)
    rolled_up_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "day", "kind", "reason"], name="failure_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.day} {self.reason}: {self.count}"


class BroadcastDay(models.Model):
    """A broadcast's messages created on one day and what became of them.

    Its totals are the sum over its days (a local-time broadcast spans two or three);
    replies and opt-outs are the broadcast's own counters, which the inbound path keeps
    (messaging.inbound._count_on_broadcast is their only writer).
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, db_index=False, related_name="+")
    objects = CompanyQuerySet.as_manager()
    broadcast = models.ForeignKey(
        "campaigns.Broadcast", on_delete=models.CASCADE, db_index=False, related_name="+"
    )
    day = models.DateField()
    recipients = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    undeliverable = models.PositiveIntegerField(default=0)
    rolled_up_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "day"], name="broadcast_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.broadcast_id} {self.day}"
