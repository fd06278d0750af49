"""Settings → Users (Admins): who belongs to the company, and with which role."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ..forms import MembershipInviteForm, MembershipRoleForm
from ..models import Membership, Role
from ..services import (
    UserAdminError,
    membership_invite,
    membership_remove,
    membership_set_role,
)
from ..tenancy import CompanyRequest, Perm, require_perm


@require_perm(Perm.MANAGE)
def user_list(request: CompanyRequest) -> HttpResponse:
    form = MembershipInviteForm(request.POST if request.method == "POST" else None)
    generated = generated_for = ""
    if request.method == "POST" and form.is_valid():
        try:
            membership, generated = membership_invite(company=request.company, **form.cleaned_data)
        except UserAdminError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{membership.user.username} can now work in {request.company.name} as "
                f"{membership.get_role_display()}.",
            )
            if not generated:
                return redirect("accounts:users")
            generated_for = membership.user.username
            form = MembershipInviteForm()
    members = (
        Membership.objects.filter(company=request.company)
        .select_related("user")
        .order_by("user__username")
    )
    return render(
        request,
        "accounts/users.html",
        {
            "form": form,
            "members": members,
            "roles": Role.choices,
            "generated": generated,
            "generated_for": generated_for,
        },
        status=400 if form.errors else 200,
    )


def _membership_for(request: CompanyRequest, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.filter(company=request.company).select_related("user"),
        pk=membership_id,
    )


@require_POST
@require_perm(Perm.MANAGE)
def user_role(request: CompanyRequest, membership_id: int) -> HttpResponse:
    membership = _membership_for(request, membership_id)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role.")
    else:
        try:
            membership_set_role(membership=membership, role=form.cleaned_data["role"])
        except UserAdminError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"{membership.user.username} is now {membership.get_role_display()}."
            )
    return redirect("accounts:users")


@require_POST
@require_perm(Perm.MANAGE)
def user_remove(request: CompanyRequest, membership_id: int) -> HttpResponse:
    membership = _membership_for(request, membership_id)
    try:
        membership_remove(membership=membership, actor=request.user)
    except UserAdminError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{membership.user.username} no longer has access to {request.company.name}."
        )
    return redirect("accounts:users")
