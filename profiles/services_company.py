"""Company settings writes: the time zone pages show, and the sending window a company
keeps its broadcasts within."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Company
from .models.companies import validate_time_zone
from .services import ProfileActionError


class CompanySettingsError(ProfileActionError):
    """A company setting the rules refuse; the message is shown as is."""


def _hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M")


@transaction.atomic
def company_set_time_zone(*, company: Company, time_zone: str) -> Company:
    name = time_zone.strip()
    try:
        validate_time_zone(name)
    except ValidationError as exc:
        raise CompanySettingsError(exc.messages[0]) from exc
    company = Company.objects.select_for_update().get(pk=company.pk)
    company.time_zone = name
    company.save(update_fields=["time_zone"])
    return company


@transaction.atomic
def company_sending_window_set(
    *, company: Company, start: dt.time | None, end: dt.time | None
) -> Company:
    """Narrow the company's broadcast window. None keeps the legal bound on that side.

    The legal window (SMS_SENDING_WINDOW_START–END, 08:00–21:00 under the TCPA) is the
    widest allowed: a company may end earlier (some states stop at 20:00) or start
    later, never the other way.
    """
    legal_start, legal_end = settings.SMS_SENDING_WINDOW_START, settings.SMS_SENDING_WINDOW_END
    if start is not None and start < legal_start:
        raise CompanySettingsError(
            f"Broadcasts cannot start before {_hhmm(legal_start)} in the recipient's time."
        )
    if end is not None and end > legal_end:
        raise CompanySettingsError(
            f"Broadcasts cannot end after {_hhmm(legal_end)} in the recipient's time."
        )
    if (start or legal_start) >= (end or legal_end):
        raise CompanySettingsError("The window must start before it ends.")
    locked = Company.objects.select_for_update().get(pk=company.pk)
    locked.send_window_start = start if start != legal_start else None
    locked.send_window_end = end if end != legal_end else None
    locked.save(update_fields=["send_window_start", "send_window_end"])
    company.send_window_start = locked.send_window_start
    company.send_window_end = locked.send_window_end
    return locked
