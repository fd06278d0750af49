"""Reads of the reports app."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from accounts.models import Company, Role

from .models import Export, JobStatus


def export_list(*, company: Company) -> QuerySet[Export]:
    """The company's exports, newest first (the Reports page's Exports table)."""
    return (
        Export.objects.for_company(company)
        .select_related("requested_by")
        .order_by("-created_at", "-id")
    )


def export_can_download(*, export: Export, user: User, role: str | None) -> bool:
    """Only the person who asked for an export, or an Admin, may download it."""
    if export.status != JobStatus.DONE or not export.results_file:
        return False
    return export.requested_by_id == user.pk or role == Role.ADMIN
