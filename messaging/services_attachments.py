"""Attachment writes the API makes (Upload Attachment, Archive Attachment)."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Company
from core.errors import ServiceError

from .models import Attachment

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024  # carriers refuse larger MMS media
# Recognised by their first bytes, not by the name or the client's Content-Type, so a
# renamed executable or HTML page is never stored and served back as an "image".
_SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


class AttachmentError(ServiceError, ValueError):
    pass


def attachment_content_type(upload: UploadedFile) -> str:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in _SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    raise AttachmentError("the file must be a JPEG, PNG or GIF image")


@transaction.atomic
def attachment_create(*, company: Company, upload: UploadedFile, name: str = "") -> Attachment:
    if upload.size is None or upload.size == 0:
        raise AttachmentError("the file is empty")
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise AttachmentError(f"the file is larger than {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB")
    content_type = attachment_content_type(upload)
    extension = content_type.split("/")[1].replace("jpeg", "jpg")
    upload.name = f"upload.{extension}"
    display = (name.strip() or (upload.name or "attachment"))[:200]
    return Attachment.objects.create(
        company=company, name=display, file=upload, content_type=content_type, size=upload.size
    )


@transaction.atomic
def attachment_archive(*, attachment: Attachment) -> Attachment:
    if attachment.archived_at is None:
        attachment.archived_at = timezone.now()
        attachment.save(update_fields=["archived_at"])
    return attachment
