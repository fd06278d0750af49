"""The profiles table (/profiles/) and the same table scoped to a campaign, broadcast or
opt-in path. Everything the user chose (search, filters, sort, page, rows per page)
lives in the query string, so it survives paging and sorting and can be bookmarked."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.tenancy import CompanyRequest, Perm, has_perm, require_perm

from ..models import Group
from ..pagination import PER_PAGE_CHOICES, profile_page
from ..selectors import (
    ProfileScope,
    profile_filter,
    profile_list,
    profile_list_is_filtered,
    profile_sort,
)
from ..tables import ProfileTable, ScopedProfileTable

SCOPE_TITLES = {"campaign": "Campaign", "broadcast": "Broadcast", "opt_in_path": "Opt-in path"}
# Query-string keys that describe which rows are shown (what an export reproduces).
ROW_KEYS = ("q", "subscription_status", "first_seen_type", "profile_status", "sort")


def _hidden(params: QueryDict, drop: tuple[str, ...]) -> list[tuple[str, str]]:
    """The query string as hidden inputs, minus what the form itself sets."""
    return [(key, value) for key, values in params.lists() if key not in drop for value in values]


def _page_url(params: QueryDict, number: int) -> str:
    query = params.copy()
    query["page"] = str(number)
    return "?" + query.urlencode()


def _profiles_table(request: CompanyRequest, scope: ProfileScope | None) -> HttpResponse:
    company = request.company
    role = request.role
    params = request.GET
    filterset = profile_filter(company=company, params=params, scope=scope)
    queryset = profile_list(company=company, params=params, scope=scope, filterset=filterset)
    page = profile_page(
        queryset,
        number=params.get("page"),
        per_page=params.get("per_page"),
        filtered=profile_list_is_filtered(params, scope),
    )
    table_class = ScopedProfileTable if scope is not None else ProfileTable
    table = table_class(
        page.rows, order_by=profile_sort(params), can_chat=has_perm(role, Perm.CHAT)
    )

    rows_query = params.copy()
    for key in list(rows_query):
        if key not in ROW_KEYS:
            del rows_query[key]
    context: dict[str, Any] = {
        "table": table,
        "page": page,
        "filter": filterset,
        "applied_filters": filterset.applied(),
        "search": params.get("q", ""),
        "per_page_choices": PER_PAGE_CHOICES,
        "rows_query": rows_query.urlencode(),
        "scope": scope,
        "scope_title": SCOPE_TITLES.get(scope.kind, "") if scope else "",
        "can_export": has_perm(role, Perm.EXPORT),
        # Save as group keeps the search and filters as a filtered group (evaluated through
        # profile_list when used), so the group always equals what this table would show.
        # A scoped table's scope is not a table filter a group can hold, so only /profiles/.
        "filtered_group_kind": Group.Kind.FILTERED,
        "can_save_group": (
            scope is None and has_perm(role, Perm.MANAGE) and profile_list_is_filtered(params)
        ),
    }
    context.update(
        hidden_search=_hidden(params, drop=("q", "page")),
        hidden_filters=_hidden(
            params, drop=("subscription_status", "first_seen_type", "profile_status", "page")
        ),
        hidden_page=_hidden(params, drop=("page",)),
        hidden_per_page=_hidden(params, drop=("per_page", "page")),
        previous_url=_page_url(params, page.number - 1) if page.has_previous else "",
        next_url=_page_url(params, page.number + 1) if page.has_next else "",
        first_url=_page_url(params, 1),
    )
    return render(request, "profiles/list.html", context)


@require_GET
@require_perm(Perm.VIEW)
def profile_list_view(request: CompanyRequest) -> HttpResponse:
    return _profiles_table(request, scope=None)


def _scoped(request: CompanyRequest, kind: str, object_id: int) -> HttpResponse:
    try:
        scope = ProfileScope.load(
            company=request.company,
            kind=kind,
            object_id=object_id,
        )
    except ObjectDoesNotExist as exc:
        raise Http404("No such " + SCOPE_TITLES[kind].lower()) from exc
    return _profiles_table(request, scope=scope)


@require_GET
@require_perm(Perm.VIEW)
def campaign_profiles(request: CompanyRequest, pk: int) -> HttpResponse:
    return _scoped(request, "campaign", pk)


@require_GET
@require_perm(Perm.VIEW)
def broadcast_profiles(request: CompanyRequest, pk: int) -> HttpResponse:
    return _scoped(request, "broadcast", pk)


@require_GET
@require_perm(Perm.VIEW)
def opt_in_path_profiles(request: CompanyRequest, pk: int) -> HttpResponse:
    return _scoped(request, "opt_in_path", pk)
