"""The page a throttled web or admin sign-in gets (AXES_LOCKOUT_CALLABLE)."""

import math
from typing import Any

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_message(minutes: int) -> str:
    unit = "minute" if minutes == 1 else "minutes"
    return (
        "Too many failed sign-ins for this account from your address. "
        f"Try again in {minutes} {unit}."
    )


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else 0
    if minutes:
        message = lockout_message(minutes)
    else:
        message = "Too many failed sign-ins for this account from your address. Ask an admin."
    return render(
        request,
        "registration/locked_out.html",
        {"message": message},
        status=429,  # Too Many Requests: the client may retry after the cool-off
    )
