"""Profiles of a company by phone number, for lists of thousands of numbers at once."""

from django.db import connection

from .models import Profile


def profiles_by_number(company_id: int, numbers: list[str]) -> dict[str, int]:
    """E.164 → profile id of the company, for the numbers given (one query)."""
    if not numbers:
        return {}
    # One array parameter: an IN list of 100,000 placeholders costs seconds to
    # build and bind, the array a fraction of that.
    table = connection.ops.quote_name(Profile._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT phone_number, id FROM {table} "  # noqa: S608 (a model's table)
            "WHERE company_id = %s AND phone_number = ANY(%s)",
            [company_id, numbers],
        )
        return dict(cursor.fetchall())
