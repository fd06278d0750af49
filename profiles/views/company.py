"""Settings → Company (Admins): the company's time zone."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ..forms import CompanySettingsForm
from ..services_company import CompanySettingsError, company_set_time_zone
from ..tenancy import Perm, require_perm


@require_perm(Perm.MANAGE)
def company_settings(request: HttpRequest) -> HttpResponse:
    company = request.company
    if request.method == "POST":
        form = CompanySettingsForm(request.POST)
        if form.is_valid():
            try:
                company = company_set_time_zone(
                    company=company, time_zone=form.cleaned_data["time_zone"]
                )
            except CompanySettingsError as error:
                form.add_error("time_zone", str(error))
            else:
                messages.success(request, f"Times are now shown in {company.time_zone}.")
                return redirect("profiles:company_settings")
    else:
        form = CompanySettingsForm(initial={"time_zone": company.time_zone})
    return render(
        request,
        "profiles/company_settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
