"""Settings → Company (Admins): the window broadcasts keep to in each recipient's time."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ..forms import SendingWindowForm
from ..services_company import CompanySettingsError, company_sending_window_set
from ..tenancy import Perm, require_perm


@require_perm(Perm.MANAGE)
def company_settings(request: HttpRequest) -> HttpResponse:
    company = request.company
    legal = (settings.SMS_SENDING_WINDOW_START, settings.SMS_SENDING_WINDOW_END)
    initial = {
        "start": company.send_window_start or legal[0],
        "end": company.send_window_end or legal[1],
    }
    form = SendingWindowForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            company_sending_window_set(
                company=company, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
            )
        except CompanySettingsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Sending window saved.")
            return redirect("profiles:company_settings")
    context = {"form": form, "legal_start": legal[0], "legal_end": legal[1]}
    return render(
        request, "profiles/company_settings.html", context, status=400 if form.errors else 200
    )
