from django.conf import settings
from django.db import models

from profiles.models import Company, Group
from profiles.models.companies import CompanyQuerySet
from profiles.private_files import PrivatePath, private_storage


class JobStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Export(models.Model):
    """One CSV export, run by a Celery worker (one generic mechanism for every kind).

    `config` holds what the export needs to reproduce the rows the user saw (the
    profiles table's query string, a scope). `heartbeat_at` is touched while it runs so
    the periodic `exports_restart_stalled` task can tell a dead worker from a slow one.
    """

    class Kind(models.TextChoices):
        PROFILES = "profiles", "Profiles"
        MESSAGES = "messages", "Messages"
        BULK_OPT_OUT_RESULTS = "bulk_opt_out_results", "Bulk opt-out results"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="exports")
    objects = CompanyQuerySet.as_manager()
    kind = models.CharField(max_length=30, choices=Kind.choices)
    name = models.CharField(max_length=200)
    config = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done")
    row_count = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(
        storage=private_storage, upload_to=PrivatePath("exports"), blank=True, max_length=255
    )
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="exports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

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


class ProfileAnalysisRun(models.Model):
    analysis = models.ForeignKey(ProfileAnalysis, on_delete=models.CASCADE, related_name="runs")
    ran_at = models.DateTimeField(auto_now_add=True)
    group_size = models.PositiveIntegerField(default=0)
    failures_by_reason = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.DONE)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-ran_at"]
