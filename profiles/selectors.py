"""Reads of profiles shared by the profiles table, its CSV export, the API and groups.

`profile_list` is the one way to turn the profiles table's query string (search,
filters, sort) and an optional scope into a queryset, so the table, the CSV export of
what the table shows, and any other caller always agree on which rows match.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Exists, QuerySet
from django.http import QueryDict

from accounts.models import Company

from .extensions import scope_kinds
from .filters import (
    FIRST_SEEN_TYPE_CHOICES,
    PROFILE_STATUS_CHOICES,
    SUBSCRIPTION_STATUS_CHOICES,
    ProfileFilter,
)
from .models import Profile

ScopeKind = Literal["campaign", "broadcast", "opt_in_path"]
SCOPE_KINDS: tuple[str, ...] = ("campaign", "broadcast", "opt_in_path")

# Default sort of the profiles table (seed 001): first seen date, newest first; id
# breaks ties so pages never repeat or skip rows. Matches index profile_first_seen.
DEFAULT_SORT = "-created_at"
SORTS: dict[str, tuple[str, ...]] = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
}


@dataclass(frozen=True)
class ProfileScope:
    """The profiles of one campaign, broadcast or opt-in path (their report pages).

    `campaign_id` is the campaign whose active subscriptions make a profile "Active"
    in the Profile Status filter: the campaign itself, the broadcast's campaign, or the
    opt-in path's campaign.
    """

    kind: ScopeKind
    object_id: int
    campaign_id: int
    name: str = ""

    @classmethod
    def for_object(cls, kind: ScopeKind, obj: Any) -> "ProfileScope":
        campaign_id = obj.pk if kind == "campaign" else obj.campaign_id
        return cls(kind=kind, object_id=obj.pk, campaign_id=campaign_id, name=str(obj))

    @classmethod
    def load(cls, *, company: Company, kind: str, object_id: int) -> "ProfileScope":
        """The scope for an object of `company` (raises the model's DoesNotExist)."""
        if kind not in SCOPE_KINDS:
            raise ValueError(f"unknown profile scope {kind!r}")
        obj = scope_kinds.require(kind).load(company, object_id)
        return cls.for_object(kind, obj)  # type: ignore[arg-type]  # checked above

    def as_config(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.object_id}

    # Campaigns, broadcasts and opt-in paths, their subscriptions and messages belong
    # to the apps above profiles; each kind's conditions are registered by its app
    # (campaigns/profile_parts.py, messaging/profile_parts.py).
    def members(self) -> Exists:
        """Profiles that belong to the scope: subscribed through it, or sent its broadcast."""
        return scope_kinds.require(self.kind).members(self)

    def active(self) -> Exists:
        """An active subscription in the scope (its opt-in path, or its campaign)."""
        return scope_kinds.require(self.kind).active(self)


def _as_querydict(params: QueryDict | Mapping[str, Any] | None) -> QueryDict:
    if isinstance(params, QueryDict):
        return params
    data = QueryDict(mutable=True)
    for key, value in (params or {}).items():
        if isinstance(value, list | tuple):
            data.setlist(key, [str(v) for v in value])
        elif value is not None:
            data[key] = str(value)
    return data


def _known_choices_only(data: QueryDict) -> QueryDict:
    """Drop unknown option values so one stale or mistyped value cannot void a filter."""

    allowed = {
        "subscription_status": {c for c, _ in SUBSCRIPTION_STATUS_CHOICES},
        "first_seen_type": {c for c, _ in FIRST_SEEN_TYPE_CHOICES},
        "profile_status": {c for c, _ in PROFILE_STATUS_CHOICES},
    }
    cleaned = data.copy()
    for key, choices in allowed.items():
        if key in cleaned:
            cleaned.setlist(key, [v for v in cleaned.getlist(key) if v in choices])
    return cleaned


def profile_filter(
    *,
    company: Company,
    params: QueryDict | Mapping[str, Any] | None,
    scope: ProfileScope | None = None,
) -> ProfileFilter:
    """The bound FilterSet (its form renders the Filters pane) over the company's profiles."""
    queryset = Profile.objects.for_company(company)
    if scope is not None:
        queryset = queryset.filter(scope.members())
    return ProfileFilter(
        _known_choices_only(_as_querydict(params)),
        queryset=queryset,
        scope_active=scope.active() if scope is not None else None,
    )


def profile_sort(params: QueryDict | Mapping[str, Any] | None) -> str:
    sort = (params or {}).get("sort") or DEFAULT_SORT
    return sort if sort in SORTS else DEFAULT_SORT


def profile_list(
    *,
    company: Company,
    params: QueryDict | Mapping[str, Any] | None,
    scope: ProfileScope | None = None,
    filterset: ProfileFilter | None = None,
) -> QuerySet[Profile]:
    """The company's profiles matching the profiles table's query string, in table order.

    `params` is the table's query string (a QueryDict, or a dict whose list values are
    multi-selects): `q` (search: names, email, phone however typed), `subscription_status`,
    `first_seen_type` (several), `profile_status` (scoped only: active/cleaned) and
    `sort` (`-created_at`, the default, or `created_at`). Unknown or invalid values are
    ignored. `scope` narrows to one campaign, broadcast or opt-in path. `filterset`, the
    table's own `profile_filter(...)` for the same arguments, saves building it twice.
    """
    if filterset is None:
        filterset = profile_filter(company=company, params=params, scope=scope)
    return filterset.qs.order_by(*SORTS[profile_sort(params)])


def profile_list_is_filtered(
    params: QueryDict | Mapping[str, Any] | None, scope: ProfileScope | None = None
) -> bool:
    """Whether anything narrows the list (then counts are exact up to a cap)."""
    if scope is not None:
        return True
    data = _as_querydict(params)
    keys = ("q", "subscription_status", "first_seen_type", "profile_status")
    return any(v.strip() for key in keys for v in data.getlist(key))
