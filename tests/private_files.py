"""One of every private file of a company, each with the URL that hands it out."""

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import clear_url_caches, reverse

from accounts.models import Company
from campaigns.models import GroupUpload
from inbox.models import BulkOptOut
from profiles.models import Group
from reports.models import Export, JobStatus


@dataclass(frozen=True)
class PrivateFile:
    what: str
    url: str  # the checked download view
    name: str  # the name in the private storage
    content: bytes


def make_private_files(company: Company, *, owner, mark: str) -> list[PrivateFile]:
    """A finished export owned by `owner`, a bulk opt-out and a group upload with their
    lists and results; every file's bytes carry `mark` so a leak is easy to spot."""
    export = Export.objects.create(
        company=company,
        requested_by=owner,
        kind=Export.Kind.PROFILES,
        name=f"{mark} export",
        status=JobStatus.DONE,
        progress=100,
        row_count=1,
    )
    export.results_file.save(
        "profiles.csv", ContentFile(f"id,name\r\n1,{mark} export\r\n".encode())
    )
    bulk = BulkOptOut(company=company, source_name=f"{mark}.csv", status="done")
    bulk.source_file.save("opt-out.csv", ContentFile(f"phone\n{mark} list\n".encode()), save=False)
    bulk.results_file.save(
        "opt-out-results.csv", ContentFile(f"line\n{mark} results\n".encode()), save=False
    )
    bulk.save()
    group = Group.objects.create(company=company, name=f"{mark} uploads")
    upload = GroupUpload(company=company, group=group, source_name=f"{mark}.csv", status="done")
    upload.source_file.save("group.csv", ContentFile(f"phone\n{mark} group\n".encode()), save=False)
    upload.results_file.save(
        "group-results.csv", ContentFile(f"line\n{mark} group results\n".encode()), save=False
    )
    upload.save()
    group_args = [group.pk, upload.pk]
    return [
        PrivateFile(
            "export",
            reverse("reports:export_download", args=[export.pk]),
            export.results_file.name or "",
            _read(export.results_file),
        ),
        PrivateFile(
            "bulk opt-out list",
            reverse("inbox:bulk_opt_out_source", args=[bulk.pk]),
            bulk.source_file.name or "",
            _read(bulk.source_file),
        ),
        PrivateFile(
            "bulk opt-out results",
            reverse("inbox:bulk_opt_out_results", args=[bulk.pk]),
            bulk.results_file.name or "",
            _read(bulk.results_file),
        ),
        PrivateFile(
            "group upload file",
            reverse("campaigns:group_upload_source", args=group_args),
            upload.source_file.name or "",
            _read(upload.source_file),
        ),
        PrivateFile(
            "group upload results",
            reverse("campaigns:group_upload_results", args=group_args),
            upload.results_file.name or "",
            _read(upload.results_file),
        ),
    ]


def _read(file) -> bytes:
    with file.open("rb") as handle:
        return handle.read()


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@contextmanager
def debug_urlconf() -> Iterator[None]:
    """The URLconf as DEBUG=True builds it (a `static()` media route appears only then)."""
    import config.urls

    try:
        with override_settings(DEBUG=True):
            importlib.reload(config.urls)
            clear_url_caches()
            yield
    finally:
        importlib.reload(config.urls)
        clear_url_caches()
