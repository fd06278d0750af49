"""Settings → Canned responses: the company's named texts, kept by Admins."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm

from .canned import (
    BODY_MAX_CHARS,
    NAME_MAX_CHARS,
    CannedResponseError,
    canned_response_delete,
    canned_response_save,
)
from .models import CannedResponse
from .selectors import canned_responses


def _response(request: CompanyRequest, pk: int) -> CannedResponse:
    company = request.company
    return get_object_or_404(CannedResponse.objects.for_company(company), pk=pk)


def _page(request: CompanyRequest, editing: CannedResponse | None) -> HttpResponse:
    company = request.company
    form = {"name": "", "body": ""}
    errors: dict[str, str] = {}
    if editing is not None:
        form = {"name": editing.name, "body": editing.body}
    if request.method == "POST":
        form = {"name": request.POST.get("name", ""), "body": request.POST.get("body", "")}
        try:
            saved = canned_response_save(
                company=company, user=request.user, response=editing, **form
            )
        except CannedResponseError as exc:
            errors[exc.field] = str(exc)
        else:
            messages.success(request, f"Saved “{saved.name}”.")
            return redirect("inbox:canned_responses")
    context = {
        "responses": canned_responses(company=company),
        "editing": editing,
        "form": form,
        "errors": errors,
        "name_max": NAME_MAX_CHARS,
        "body_max": BODY_MAX_CHARS,
    }
    return render(request, "inbox/canned_responses.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@require_perm(Perm.MANAGE)
def canned_list(request: CompanyRequest) -> HttpResponse:
    return _page(request, None)


@require_http_methods(["GET", "POST"])
@require_perm(Perm.MANAGE)
def canned_edit(request: CompanyRequest, pk: int) -> HttpResponse:
    return _page(request, _response(request, pk))


@require_POST
@require_perm(Perm.MANAGE)
def canned_delete(request: CompanyRequest, pk: int) -> HttpResponse:
    response = _response(request, pk)
    canned_response_delete(response=response)
    messages.success(request, f"Deleted “{response.name}”.")
    return redirect("inbox:canned_responses")
