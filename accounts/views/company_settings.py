"""Settings → Company (Admins): the time zone pages show, and the window broadcasts keep
to in each recipient's time. Two forms on one page; the fields posted say which."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from ..forms import CompanySettingsForm, SendingWindowForm
from ..services import (
    CompanySettingsError,
    company_sending_window_set,
    company_set_time_zone,
)
from ..tenancy import CompanyRequest, Perm, require_perm


@require_perm(Perm.MANAGE)
def company_settings(request: CompanyRequest) -> HttpResponse:
    company = request.company
    legal = (settings.SMS_SENDING_WINDOW_START, settings.SMS_SENDING_WINDOW_END)
    window_initial = {
        "start": company.send_window_start or legal[0],
        "end": company.send_window_end or legal[1],
    }
    posted = request.POST if request.method == "POST" else None
    zone_posted = posted is not None and "time_zone" in posted
    zone_form = CompanySettingsForm(
        posted if zone_posted else None, initial={"time_zone": company.time_zone}
    )
    window_form = SendingWindowForm(
        posted if posted is not None and not zone_posted else None, initial=window_initial
    )
    if zone_posted and zone_form.is_valid():
        try:
            company = company_set_time_zone(
                company=company, time_zone=zone_form.cleaned_data["time_zone"]
            )
        except CompanySettingsError as error:
            zone_form.add_error("time_zone", str(error))
        else:
            messages.success(request, f"Times are now shown in {company.time_zone}.")
            return redirect("accounts:company_settings")
    elif posted is not None and not zone_posted and window_form.is_valid():
        try:
            company_sending_window_set(
                company=company,
                start=window_form.cleaned_data["start"],
                end=window_form.cleaned_data["end"],
            )
        except CompanySettingsError as error:
            window_form.add_error(None, str(error))
        else:
            messages.success(request, "Sending window saved.")
            return redirect("accounts:company_settings")
    context = {
        "form": window_form,
        "zone_form": zone_form,
        "legal_start": legal[0],
        "legal_end": legal[1],
    }
    failed = zone_form.errors or window_form.errors
    return render(request, "accounts/company_settings.html", context, status=400 if failed else 200)
