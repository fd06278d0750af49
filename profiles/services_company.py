"""Company-wide settings an Admin changes: for now, the time zone every page shows."""

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Company
from .models.companies import validate_time_zone


class CompanySettingsError(Exception):
    pass


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
