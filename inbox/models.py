from django.conf import settings
from django.db import models

from profiles.models import Company
from profiles.models.companies import CompanyQuerySet
from profiles.private_files import PrivatePath, private_storage


class BulkOptOut(models.Model):
    """A manual bulk opt-out (seed 003): an uploaded or pasted list of numbers.

    The per-row outcomes are written to `results_file` as CSV; the counts stay here.
    """

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
    source_file = models.FileField(
        storage=private_storage, upload_to=PrivatePath("bulk_opt_outs"), max_length=255
    )
    source_name = models.CharField(max_length=200, blank=True, default="")
    results_file = models.FileField(
        storage=private_storage,
        upload_to=PrivatePath("bulk_opt_outs"),
        blank=True,
        max_length=255,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    opted_out_count = models.PositiveIntegerField(default=0)
    already_opted_out_count = models.PositiveIntegerField(default=0)
    no_profile_count = models.PositiveIntegerField(default=0)
    invalid_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
