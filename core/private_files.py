"""Files that hold subscribers' data: where they are stored and how they are handed out.

Exports, uploaded number lists (bulk opt-outs, group uploads) and their per-row
results, and the console gateway's outboxes live in the "private" storage
(settings.STORAGES, rooted at PRIVATE_ROOT, outside MEDIA_ROOT). No URL route serves
that directory, in DEBUG or in production: a file leaves only through a view that has
checked the company and the role, as `private_file_response`.

Stored names carry a random token although no URL serves them, so a name seen in a
log, an error report or a backup listing cannot be turned into another file's name.
"""

import secrets
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible

PRIVATE_STORAGE = "private"


class PrivateStorage(FileSystemStorage):
    """A file system storage without URLs: asking for one is a bug, so it raises."""

    def url(self, name: str | None) -> str:
        raise ValueError(
            "Private files have no URL; serve them through a view that checks "
            "company and role (core.private_files.private_file_response)."
        )


def private_storage() -> Storage:
    """The storage of every private FileField (a callable, so migrations name it)."""
    return storages[PRIVATE_STORAGE]


@deconstructible
class PrivatePath:
    """upload_to for private files: `<folder>/<yyyy>/<mm>/<random token>/<file name>`.

    The token is a directory, so the name a user downloads stays the readable one.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: Any, filename: str) -> str:
        now = timezone.now()
        token = secrets.token_urlsafe(18)
        return f"{self.folder}/{now:%Y/%m}/{token}/{PurePosixPath(filename).name}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PrivatePath) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)


def private_file_response(
    file: FieldFile, *, filename: str, content_type: str = "text/csv; charset=utf-8"
) -> FileResponse:
    """A download of a private file (the caller has checked company and role)."""
    return FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )


def private_files_move(*, names: list[str], source: Storage, target: Storage) -> dict[str, str]:
    """Move stored files between storages under the same names; returns renamed ones.

    Used by the migrations that took exports and uploads out of MEDIA_ROOT. A file
    missing from `source` (already moved, or never there) is left alone, so running
    it twice is harmless; a name the target already holds is never overwritten (the
    moved file gets a free name, returned so the caller can point its row there).
    """
    renamed: dict[str, str] = {}
    for name in names:
        if not name or not source.exists(name):
            continue
        with source.open(name, "rb") as handle:
            saved = target.save(name, handle)
        source.delete(name)
        if saved != name:
            renamed[name] = saved
    return renamed


def private_rows_move(*, model: Any, fields: list[str], to_private: bool = True) -> int:
    """Move the files of `fields` on every row of `model` into (or back out of) the
    private storage, keeping their names; a row whose file had to be renamed is updated.
    Returns the number of files looked at. For data migrations (historical models)."""
    public, private = storages["default"], storages[PRIVATE_STORAGE]
    source, target = (public, private) if to_private else (private, public)
    seen = 0
    for field in fields:
        rows = model.objects.exclude(**{field: ""}).values_list("pk", field)
        for pk, name in rows.iterator(chunk_size=2000):
            seen += 1
            for old, new in private_files_move(names=[name], source=source, target=target).items():
                model.objects.filter(pk=pk, **{field: old}).update(**{field: new})
    return seen


@register(Tags.security)
def private_root_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """PRIVATE_ROOT must not sit inside a directory that a web server may serve."""
    private = Path(settings.PRIVATE_ROOT).resolve()
    served = {"MEDIA_ROOT": settings.MEDIA_ROOT, "STATIC_ROOT": settings.STATIC_ROOT}
    errors: list[CheckMessage] = []
    for setting, root in served.items():
        if not root:
            continue
        public = Path(root).resolve()
        if private.is_relative_to(public) or public.is_relative_to(private):
            errors.append(
                Error(
                    f"PRIVATE_ROOT ({private}) overlaps {setting} ({public}).",
                    hint="Point PRIVATE_ROOT at a directory no web server serves.",
                    id="private_files.E001",
                )
            )
    return errors
