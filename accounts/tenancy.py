"""Which company a request works in, and what its user may do there.

A user belongs to companies through Membership rows, each with a role. The current
company lives in the session (switched from the header); the middleware puts it on
`request.company` and the role on `request.role`. Views never look these up themselves.

Superusers made with `createsuperuser` reach every company as Admins.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone

from core.http import AuthenticatedRequest, HtmxRequest

from .models import Company, Membership, Role

SESSION_KEY = "company_id"


class TenantRequest(HtmxRequest):
    """Any request once CurrentCompanyMiddleware has run (signed in or not)."""

    company: Company | None
    role: str | None
    user_companies: list[Company]  # set for a signed-in user only
    _company_context: dict[str, Any]  # company_context's answer, worked out once
    _nav_items: dict[str, Any]  # accounts.navigation.nav_items's, likewise


class CompanyRequest(AuthenticatedRequest):
    """What a view behind `require_perm` gets: a signed-in user working in a company.

    `require_perm` refuses the request (403) when there is no company, so these are
    never None here. Annotate a view with it only when it has that decorator.
    """

    company: Company
    role: str
    user_companies: list[Company]


class Perm(StrEnum):
    VIEW = "view"  # profiles, campaigns, reports
    CHAT = "chat"  # inbox chat, reply, message a profile
    OPT_OUT_ONE = "opt_out_one"  # opt one profile out of a campaign
    EXPORT = "export"  # start CSV exports
    ANALYZE = "analyze"  # profile analyses
    EDIT_PROFILE = "edit_profile"  # names, address, custom values, notes
    BROADCAST = "broadcast"  # compose and schedule broadcasts
    MANAGE = "manage"  # bulk opt-out, custom fields, campaigns, groups, users, tokens, erasure


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.STAFF: frozenset({Perm.VIEW}),
    Role.AGENT: frozenset({Perm.VIEW, Perm.CHAT, Perm.OPT_OUT_ONE, Perm.EDIT_PROFILE}),
    Role.ANALYST: frozenset({Perm.VIEW, Perm.EXPORT, Perm.ANALYZE}),
    Role.ADMIN: frozenset(Perm),
}


def companies_for(user: User | AnonymousUser) -> list[Company]:
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return list(Company.objects.order_by("id"))
    return list(Company.objects.filter(memberships__user=user).order_by("id"))


def role_in(user: User | AnonymousUser, company: Company | None) -> str | None:
    if company is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    membership = Membership.objects.filter(user=user, company=company).only("role").first()
    return membership.role if membership else None


def has_perm(role: str | None, perm: Perm) -> bool:
    return role is not None and perm in ROLE_PERMS.get(role, frozenset())


def default_company(user: User) -> Company | None:
    """The user's firm: the membership marked default, else their first."""
    if user.is_superuser:
        return Company.objects.order_by("id").first()
    membership = (
        Membership.objects.filter(user=user)
        .select_related("company")
        .order_by("-is_default", "id")
        .first()
    )
    return membership.company if membership else None


def _memberships(user: User) -> list[tuple[Company, str, bool, int]]:
    """Every company the user may work in, by company id: (company, role, is_default, order).

    One query for the whole signed-in frame (current company, role, the header's
    company switcher), instead of one for each.
    """
    if user.is_superuser:
        return [(c, Role.ADMIN, False, c.pk) for c in Company.objects.order_by("id")]
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("company")
        .only("id", "role", "is_default", "company")
        .order_by("company_id")
    )
    return [(m.company, m.role, m.is_default, m.pk) for m in memberships]


class CurrentCompanyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: TenantRequest) -> HttpResponse:
        request.company = None
        request.role = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memberships = _memberships(user)
            request.user_companies = [company for company, *_ in memberships]
            company_id = request.session.get(SESSION_KEY)
            current = next((m for m in memberships if m[0].pk == company_id), None)
            if current is None and memberships:
                # The user's firm: the membership marked default, else their first (a
                # superuser's is the first company).
                current = min(memberships, key=lambda m: (not m[2], m[3]))
            if current is not None:
                company, role = current[0], current[1]
                if company_id != company.pk:
                    # Assigning marks the session modified (a write per request) even
                    # when the value is the same, so only store a change.
                    request.session[SESSION_KEY] = company.pk
                request.company = company
                request.role = role
        if request.company is not None:
            # Every {{ value|date }} and date lookup of this request reads in the company's
            # zone, so one time is never shown as 18:00 on one page and 23:00 UTC on another.
            timezone.activate(request.company.zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def company_context(request: TenantRequest) -> dict[str, Any]:
    # Context processors run for every RequestContext: the page's, and again for each
    # template a page renders on its own (django-tables2's table, a TemplateColumn's
    # every cell). The answer is the same all request long, so it is worked out once.
    cached = getattr(request, "_company_context", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = getattr(request, "role", None)
    companies = getattr(request, "user_companies", None)
    context = {
        "current_company": getattr(request, "company", None),
        "current_role": role,
        "current_role_label": Role(role).label if role else "",
        "user_companies": companies if companies is not None else companies_for(user),
        "perms_here": {p.value: has_perm(role, p) for p in Perm},
    }
    request._company_context = context
    return context


_Request = TypeVar("_Request", bound=HttpRequest)
_Params = ParamSpec("_Params")
_Response = TypeVar("_Response", bound=HttpResponseBase)
_View = Callable[Concatenate[_Request, _Params], _Response]


def require_perm(
    perm: Perm,
) -> Callable[
    [_View[_Request, _Params, _Response]],
    _View[_Request, _Params, _Response],
]:
    """View decorator: the user needs `perm` in the current company (403 otherwise).

    The decorated view keeps its own signature, so it may take a CompanyRequest.
    """

    def decorator(
        view: _View[_Request, _Params, _Response],
    ) -> _View[_Request, _Params, _Response]:
        @wraps(view)
        def wrapped(request: _Request, *args: _Params.args, **kwargs: _Params.kwargs) -> _Response:
            if getattr(request, "company", None) is None:
                raise PermissionDenied("You are not a member of any company.")
            if not has_perm(getattr(request, "role", None), perm):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
