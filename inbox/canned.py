"""Canned responses: the company's named texts, written by Admins, inserted by agents."""

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from accounts.models import Company
from core.errors import ServiceError
from core.text_rules import TextError, text_clean

from .models import CannedResponse

NAME_MAX_CHARS = 60
BODY_MAX_CHARS = 1600


class CannedResponseError(ServiceError):
    """A canned response the rules refuse, with the field it concerns."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def _cleaned(name: str, body: str) -> tuple[str, str]:
    name = " ".join((name or "").split())
    body = (body or "").strip()
    if not name:
        raise CannedResponseError("Give the response a name.", field="name")
    if len(name) > NAME_MAX_CHARS:
        raise CannedResponseError(f"At most {NAME_MAX_CHARS} characters.", field="name")
    if not body:
        raise CannedResponseError("Type the text of the response.", field="body")
    if len(body) > BODY_MAX_CHARS:
        raise CannedResponseError(f"At most {BODY_MAX_CHARS:,} characters.", field="body")
    try:
        return text_clean(name, field="Name"), text_clean(body, field="Text", multiline=True)
    except TextError as error:
        raise CannedResponseError(
            str(error), field="name" if error.field == "Name" else "body"
        ) from None


@transaction.atomic
def canned_response_save(
    *,
    company: Company,
    user: User,
    name: str,
    body: str,
    response: CannedResponse | None = None,
) -> CannedResponse:
    """Create a canned response, or change `response`; names are unique in any case."""
    name, body = _cleaned(name, body)
    response = response or CannedResponse(company=company)
    response.name, response.body, response.updated_by = name, body, user
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise CannedResponseError(
            f"“{name}” is already the name of a canned response.", field="name"
        ) from None
    return response


@transaction.atomic
def canned_response_delete(*, response: CannedResponse) -> None:
    response.delete()
