"""Actions inside the profile page's tabs: custom values and notes.

The Subscriptions tab's actions are campaigns' (campaigns/views/profile_subscriptions.py).

The Messages tab's Save as CSV is an export (reports.exports.messages), started from
the Reports app like every other CSV.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm

from ..custom_fields import CustomFieldError
from ..models import CustomField, Note
from ..services import (
    ProfileActionError,
    custom_value_delete,
    custom_value_set,
    note_create,
    note_delete,
)
from .detail import profile_for, profile_page, tab_url


def _field_for(request: CompanyRequest, field_id: int) -> CustomField:
    return get_object_or_404(CustomField.objects.for_company(request.company), pk=field_id)


@require_POST
@require_perm(Perm.EDIT_PROFILE)
def custom_value_save(request: CompanyRequest, pk: int, field_id: int) -> HttpResponse:
    profile = profile_for(request, pk)
    field = _field_for(request, field_id)
    raw = request.POST.get("value", "")
    try:
        row = custom_value_set(profile=profile, field=field, raw=raw, actor=request.user)
    except (CustomFieldError, ProfileActionError) as error:
        # The editor stays open with what was typed and the reason beside it.
        typed = {"edit_field_id": field.pk, "edit_value": raw}
        typed["edit_error"] = f"{field.name}: {error} Nothing was saved."
        return profile_page(
            request, profile, "custom_fields", typed=typed, status=_refused(request)
        )
    messages.success(request, f"{field.name} set to “{row.value}”.")
    if request.htmx:
        return HttpResponse(
            headers={"HX-Redirect": tab_url(profile, "custom_fields", q=request.POST.get("q", ""))}
        )
    return redirect(tab_url(profile, "custom_fields", q=request.POST.get("q", "")))


def _refused(request: CompanyRequest) -> int:
    # htmx 2 does not swap a 4xx answer by default, so the inline editor's re-render is a
    # 200; a plain form post gets the honest 400.
    return 200 if request.htmx else 400


@require_POST
@require_perm(Perm.EDIT_PROFILE)
def custom_value_remove(request: CompanyRequest, pk: int, field_id: int) -> HttpResponse:
    profile = profile_for(request, pk)
    field = _field_for(request, field_id)
    if custom_value_delete(profile=profile, field=field, actor=request.user):
        messages.success(request, f"The value of {field.name} was deleted.")
    return redirect(tab_url(profile, "custom_fields"))


@require_POST
@require_perm(Perm.EDIT_PROFILE)
def note_add(request: CompanyRequest, pk: int) -> HttpResponse:
    profile = profile_for(request, pk)
    body = request.POST.get("body", "")
    try:
        note_create(profile=profile, body=body, actor=request.user)
    except ProfileActionError as error:
        typed = {"note_typed": body, "note_error": str(error)}
        return profile_page(request, profile, "notes", typed=typed, status=_refused(request))
    messages.success(request, "Note added.")
    return redirect(tab_url(profile, "notes"))


@require_POST
@require_perm(Perm.EDIT_PROFILE)
def note_remove(request: CompanyRequest, pk: int, note_id: int) -> HttpResponse:
    profile = profile_for(request, pk)
    note = get_object_or_404(Note, pk=note_id, profile=profile)
    note_delete(note=note, actor=request.user)
    messages.success(request, "Note deleted.")
    return redirect(tab_url(profile, "notes"))
