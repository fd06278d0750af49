"""Settings → API tokens (Admins): issue and revoke bearer tokens for integrations."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.services import ApiTokenError, api_token_issue, api_token_revoke

from ..models import ApiToken, Membership
from ..tenancy import CompanyRequest, Perm, require_perm


@require_perm(Perm.MANAGE)
def api_token_list(request: CompanyRequest) -> HttpResponse:
    company = request.company
    members = (
        Membership.objects.filter(company=company).select_related("user").order_by("user__username")
    )
    raw = issued_name = ""
    error = ""
    if request.method == "POST":
        user_id = request.POST.get("user") or request.user.pk
        user = (
            get_user_model().objects.filter(pk=user_id).first() if str(user_id).isdigit() else None
        )
        try:
            if user is None:
                raise ApiTokenError("Choose who the token acts as.")
            token, raw = api_token_issue(
                company=company,
                name=request.POST.get("name", ""),
                user=user,
                created_by=request.user,
            )
        except ApiTokenError as exc:
            error = str(exc)
        else:
            issued_name = token.name
            messages.success(request, f"Token “{token.name}” issued. Copy it now.")
    tokens = (
        ApiToken.objects.filter(company=company)
        .select_related("user", "created_by")
        .order_by("revoked_at", "-created_at")
    )
    context = {
        "tokens": tokens,
        "members": members,
        "raw": raw,
        "issued_name": issued_name,
        "error": error,
        "name": request.POST.get("name", "") if error else "",
    }
    return render(request, "accounts/api_tokens.html", context, status=400 if error else 200)


@require_POST
@require_perm(Perm.MANAGE)
def api_token_revoke_view(request: CompanyRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(company=request.company), pk=token_id)
    api_token_revoke(token=token)
    messages.success(request, f"Token “{token.name}” revoked: calls with it are refused now.")
    return redirect("accounts:api_tokens")
