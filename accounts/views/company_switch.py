"""The header's company switcher: work in another company the user belongs to."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..models import Company
from ..tenancy import SESSION_KEY, role_in


@require_POST
def company_switch(request: HttpRequest) -> HttpResponse:
    company_id = request.POST.get("company_id")
    company = Company.objects.filter(pk=company_id).first() if company_id is not None else None
    if company is None or role_in(request.user, company) is None:
        messages.error(request, "You are not a member of that company.")
    else:
        request.session[SESSION_KEY] = company.pk
        messages.success(request, f"You are now working in {company.name}.")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
