"""The profile page: header, tabs, and the header's actions (edit, blacklist, erase)."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm
from core.phones import phone_display, phone_normalize

from .. import selectors_detail as sel
from ..custom_fields import FORMAT_HINTS, custom_value_display
from ..extensions import ProfileTab, merged, profile_tabs, tab_data
from ..forms import NoteForm, ProfileEditForm
from ..models import Legislator, Note, Profile
from ..services import (
    ERASED_PREFIX,
    ProfileActionError,
    profile_activate,
    profile_blacklist,
    profile_deactivate,
    profile_email_blacklist,
    profile_email_unblacklist,
    profile_erase,
    profile_unblacklist,
    profile_update,
)

PER_PAGE = 25


def profile_for(request: CompanyRequest, pk: int) -> Profile:
    """The profile with this id in the current company; another company's is a 404."""
    return get_object_or_404(
        Profile.objects.for_company(request.company).select_related("source_user", "crm_sync"),
        pk=pk,
    )


def tab_url(profile: Profile, tab: str, **params: Any) -> str:
    query = urlencode({"tab": tab, **{k: v for k, v in params.items() if v not in ("", None)}})
    return f"{reverse('profiles:detail', args=[profile.pk])}?{query}"


def tabs_for(request: CompanyRequest) -> list[tuple[str, str]]:
    advocacy = request.company.advocacy_enabled
    return [(t.key, t.label) for t in _tabs() if advocacy or not t.advocacy_only]


def _tabs() -> list[ProfileTab]:
    # Subscriptions, Messages and Donations show campaigns' and messaging's data, layers
    # above profiles: those apps register their tabs (profiles.extensions) between
    # profiles' own.
    return merged(OWN_TABS, profile_tabs)


def campaign_url(campaign_id: int) -> str:
    try:
        return reverse("campaigns:detail", args=[campaign_id])
    except NoReverseMatch:
        return f"/campaigns/{campaign_id}/"


def broadcast_url(broadcast_id: int) -> str:
    # The broadcast's own page where it exists, else its recipients in the profiles table.
    for name in ("campaigns:broadcast_detail", "profiles:broadcast_profiles"):
        try:
            return reverse(name, args=[broadcast_id])
        except NoReverseMatch:
            continue
    return ""


def link_rows(rows: Any) -> None:
    """Give each row the address of its campaign (and broadcast) page."""
    for row in rows:
        row.campaign_url = campaign_url(row.campaign_id) if row.campaign_id else ""
        if hasattr(row, "broadcast_id"):
            row.broadcast_url = broadcast_url(row.broadcast_id) if row.broadcast_id else ""


def tab_page(request: HttpRequest, rows: Any) -> Any:
    # A refused edit re-renders the page it came from: its form carries the page number.
    page = request.GET.get("page") or request.POST.get("page")
    return Paginator(rows, PER_PAGE).get_page(page)


def number_attributes(profile: Profile) -> dict[str, Any]:
    if profile.erased_at:
        return {"readable": "Erased", "valid": False, "type": "", "country": ""}
    result = phone_normalize(profile.phone_number)
    return {
        "readable": phone_display(profile.phone_number),
        "valid": result.valid,
        "reason": result.reason,
        "type": {
            "mobile": "Mobile",
            "landline": "Landline",
            "fixed_or_mobile": "Mobile or landline",
            "voip": "VoIP",
        }.get(result.number_type, "Unknown type"),  # fmt: skip
        "country": result.country or profile.number_country,
        "carrier": profile.carrier_name or result.carrier_name,
    }


def _custom_fields_tab(request: HttpRequest, profile: Profile, ctx: dict[str, Any]) -> None:
    rows = sel.profile_custom_fields(profile=profile, search=ctx["q"])
    for row in rows:
        row.display = (
            custom_value_display(row.field.field_type, row.value.value) if row.value else ""
        )
        row.hint = FORMAT_HINTS.get(row.field.field_type, "")
    ctx["page_obj"] = tab_page(request, rows)


def _legislators_tab(request: HttpRequest, profile: Profile, ctx: dict[str, Any]) -> None:
    groups, incomplete = sel.profile_legislators(profile=profile)
    ctx.update(
        legislator_groups=groups,
        incomplete=incomplete,
        legislators_loaded=sel.legislator_data_loaded(),
    )


def _activity_tab(request: HttpRequest, profile: Profile, ctx: dict[str, Any]) -> None:
    filters = {
        "channel": request.GET.get("channel", ""),
        "origin": request.GET.get("origin", ""),
        "status": request.GET.get("status", ""),
        "days": request.GET.get("days", ""),
    }
    days = int(filters["days"]) if filters["days"] in {"7", "14", "30"} else None
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    ctx["feed"] = sel.profile_activity(
        profile=profile,
        channel=filters["channel"],
        origin=filters["origin"],
        status=filters["status"],
        days=days,
        page=page,
    )
    ctx.update(
        filters=filters,
        channels=sel.ACTIVITY_CHANNELS,
        origins=sel.ACTIVITY_ORIGINS,
        statuses=sel.ACTIVITY_STATUSES,
        periods=sel.ACTIVITY_PERIODS,
        filter_query=urlencode({k: v for k, v in filters.items() if v}),
    )


def _notes_tab(request: HttpRequest, profile: Profile, ctx: dict[str, Any]) -> None:
    notes = list(sel.profile_notes(profile=profile))
    ctx.update(
        notes=notes,
        note_form=NoteForm(),
        notes_full=len(notes) >= Note.MAX_PER_PROFILE,
        max_notes=Note.MAX_PER_PROFILE,
        max_length=Note.MAX_LENGTH,
    )


# profiles' own tabs; the orders leave room for the registered ones (30, 40, 50).
OWN_TABS = (
    ProfileTab("custom_fields", "Custom Fields", 10, _custom_fields_tab),
    ProfileTab("legislators", "Legislators", 20, _legislators_tab, advocacy_only=True),
    ProfileTab("activity", "Activity", 60, _activity_tab),
    ProfileTab("notes", "Notes", 70, _notes_tab),
)


def tab_context(request: HttpRequest, profile: Profile, tab: str) -> dict[str, Any]:
    """What one tab's partial needs; the tab's own GET parameters drive search and paging."""
    q = (request.GET.get("q") or request.POST.get("q", "")).strip()
    ctx: dict[str, Any] = {"q": q, "tab": tab, "base_query": urlencode({"tab": tab, "q": q})}
    for entry in _tabs():
        if entry.key == tab:
            entry.fill(request, profile, ctx)
    for data in tab_data:
        if data.tab == tab:
            data.fill(request, profile, ctx)
    return ctx


def profile_page(
    request: CompanyRequest,
    profile: Profile,
    tab: str,
    *,
    typed: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The profile page on `tab`; `typed` carries what a refused edit held (the text and
    its error) so the tab shows it again beside its field instead of losing it."""
    tabs = tabs_for(request)
    if tab not in dict(tabs):
        tab = tabs[0][0]
    ctx = tab_context(request, profile, tab)
    ctx.update(typed or {})
    ctx.update(profile=profile, profile_tab_url=tab_url(profile, tab))
    ctx.update(tabs=tabs, tab_template=f"profiles/detail/_tab_{tab}.html")
    if request.htmx and request.htmx.target == "profile-tabs":
        # A tab switch, search, page turn or inline edit: only the tab area is swapped.
        return render(request, "profiles/detail/_tabs.html", ctx, status=status)
    ctx.update(
        number=number_attributes(profile),
        groups=profile.profile_groups.order_by("name")[:10],
        chat_url=f"/inbox/chat/{profile.pk}/",
    )
    return render(request, "profiles/detail.html", ctx, status=status)


@require_GET
@require_perm(Perm.VIEW)
def profile_detail(request: CompanyRequest, pk: int) -> HttpResponse:
    profile = profile_for(request, pk)
    return profile_page(request, profile, request.GET.get("tab", "custom_fields"))


@require_perm(Perm.EDIT_PROFILE)
def profile_edit(request: CompanyRequest, pk: int) -> HttpResponse:
    profile = profile_for(request, pk)
    if profile.erased_at:
        messages.error(request, "This profile's personal data was erased; it cannot be edited.")
        return redirect("profiles:detail", pk=pk)
    form = ProfileEditForm(request.POST if request.method == "POST" else None, instance=profile)
    if request.method == "POST" and form.is_valid():
        # The form validated onto the instance; the service writes and records who did it.
        data = form.changed_data_dict()
        profile.refresh_from_db()
        changed = profile_update(profile=profile, actor=request.user, data=data)
        messages.success(request, "Profile saved." if changed else "Nothing changed.")
        return redirect("profiles:detail", pk=pk)
    status = 400 if request.method == "POST" else 200
    ctx = {
        "profile": profile,
        "form": form,
        "readable": phone_display(profile.phone_number),
    }
    return render(request, "profiles/detail_edit.html", ctx, status=status)


_FLAG_ACTIONS = {
    "blacklist": (profile_blacklist, "Added to the phone blacklist: no messages will be sent."),
    "unblacklist": (profile_unblacklist, "Removed from the phone blacklist."),
    "deactivate": (profile_deactivate, "Deactivated: no messages will be sent."),
    "activate": (profile_activate, "Activated."),
    "email_blacklist": (profile_email_blacklist, "Added to the email blacklist."),
    "email_unblacklist": (profile_email_unblacklist, "Removed from the email blacklist."),
}


@require_POST
@require_perm(Perm.MANAGE)
def profile_flag(request: CompanyRequest, pk: int, action: str) -> HttpResponse:
    if action not in _FLAG_ACTIONS:
        raise Http404
    profile = profile_for(request, pk)
    service, done = _FLAG_ACTIONS[action]
    try:
        changed = service(profile=profile, actor=request.user)
    except ProfileActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done if changed else "Nothing to change.")
    return redirect("profiles:detail", pk=pk)


@require_perm(Perm.MANAGE)
def profile_erase_view(request: CompanyRequest, pk: int) -> HttpResponse:
    profile = profile_for(request, pk)
    error = ""
    if request.method == "POST":
        try:
            profile_erase(
                profile=profile, actor=request.user, confirmation=request.POST.get("confirm", "")
            )
        except ProfileActionError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                "Personal data erased. The history stays as an anonymous record and the "
                "number can never be messaged again.",
            )
            return redirect("profiles:detail", pk=pk)
    return render(
        request,
        "profiles/detail_erase.html",
        {
            "profile": profile,
            "readable": phone_display(profile.phone_number),
            "error": error,
            "already": profile.phone_number.startswith(ERASED_PREFIX),
        },
        status=400 if error else 200,
    )


@require_GET
@require_perm(Perm.VIEW)
def legislator_detail(request: CompanyRequest, pk: int) -> HttpResponse:
    if not request.company.advocacy_enabled:
        raise Http404
    legislator = get_object_or_404(Legislator, pk=pk)
    return render(request, "profiles/legislator.html", {"legislator": legislator})
