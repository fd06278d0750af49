"""Groups: list and create (uploaded or filtered), group page with members, add, remove.

A CSV file is never processed in the request: it is stored as a GroupUpload and a worker
adds the numbers while the group page shows the progress (campaigns.group_uploads).
"""

from itertools import islice
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm
from core.phone_csv import CsvError, parse_phone_csv
from core.private_files import private_file_response
from profiles.models import Group, Profile

from ..forms import GroupForm, GroupMembersForm
from ..group_uploads import group_upload_start
from ..groups import (
    GroupError,
    Outcome,
    group_add_members,
    group_create,
    group_delete,
    group_remove_members,
    group_remove_profile,
)
from ..models import GroupUpload
from ..selectors import group_list, group_members

MEMBERS_PER_PAGE = 50


@require_perm(Perm.VIEW)
def group_list_view(request: CompanyRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("query"):
        initial = {"kind": Group.Kind.FILTERED, "query": request.GET["query"]}
    form = GroupForm(initial=initial)
    groups = group_list(company=request.company, kind=request.GET.get("kind", ""))
    return render(request, "campaigns/groups.html", {"groups": groups, "form": form})


@require_POST
@require_perm(Perm.MANAGE)
def group_create_view(request: CompanyRequest) -> HttpResponse:
    form = GroupForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            # One transaction: a file refused at once leaves no empty group behind.
            with transaction.atomic():
                group = group_create(
                    company=request.company,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    filter_params=form.cleaned_data.get("filter_params"),
                    actor=request.user,
                )
                if group.kind == Group.Kind.UPLOADED and form.cleaned_data.get("file"):
                    _start_upload(group, form.cleaned_data["file"], request.user)
        except GroupError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Group {group.name} created.")
            return redirect("campaigns:group_detail", pk=group.pk)
    groups = group_list(company=request.company)
    return render(request, "campaigns/groups.html", {"groups": groups, "form": form}, status=400)


def _start_upload(group: Group, upload, actor) -> GroupUpload:
    """Check the file's first row now (a wrong file is told at once), then queue it."""
    content = upload.read()
    try:
        list(islice(parse_phone_csv(content, normalize=False), 1))
    except CsvError as exc:
        raise GroupError(str(exc)) from exc
    return group_upload_start(group=group, content=content, source_name=upload.name, actor=actor)


def _change_for_session(change) -> dict:
    return {
        "summary": change.summary,
        "problems": [
            {"line": r.line_no, "raw": r.raw, "outcome": r.outcome, "detail": r.detail}
            for r in change.problems[:200]
        ],
        "more": max(len(change.problems) - 200, 0),
    }


def _group(request: CompanyRequest, pk: int) -> Group:
    return get_object_or_404(Group.objects.for_company(request.company), pk=pk)


@require_perm(Perm.VIEW)
def group_detail(request: CompanyRequest, pk: int) -> HttpResponse:
    group = _group(request, pk)
    paginator = Paginator(group_members(group=group).select_related("standing"), MEMBERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    ctx = {
        "group": group,
        "page": page,
        "form": GroupMembersForm(),
        "change": request.session.pop(f"group_change_{group.pk}", None),
        "uploads": group.uploads.select_related("uploaded_by")[:5],
        "analyses": group.analyses.all(),
        "filter_query": urlencode(group.filter_params or {}, doseq=True),
    }
    return render(request, "campaigns/group_detail.html", ctx)


@require_POST
@require_perm(Perm.MANAGE)
def group_members_change(request: CompanyRequest, pk: int, action: str) -> HttpResponse:
    group = _group(request, pk)
    form = GroupMembersForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, str(error))  # ErrorList items read as their messages
        return redirect("campaigns:group_detail", pk=group.pk)
    try:
        if action == "remove":
            change = group_remove_members(
                group=group, phone_numbers=form.numbers_list(), actor=request.user
            )
        elif form.cleaned_data.get("file"):
            _start_upload(group, form.cleaned_data["file"], request.user)
            messages.success(request, "The file is being added; the progress shows below.")
            return redirect("campaigns:group_detail", pk=group.pk)
        else:
            change = group_add_members(
                group=group, phone_numbers=form.numbers_list(), actor=request.user
            )
    except GroupError as exc:
        messages.error(request, str(exc))
    else:
        request.session[f"group_change_{group.pk}"] = _change_for_session(change)
        erased = change.count(Outcome.ERASED)
        if erased:
            messages.error(
                request,
                f"{erased} number(s) were not added: erased at their owner's request, "
                "they cannot be added again.",
            )
    return redirect("campaigns:group_detail", pk=group.pk)


@require_POST
@require_perm(Perm.MANAGE)
def group_member_remove(request: CompanyRequest, pk: int, profile_id: int) -> HttpResponse:
    group = _group(request, pk)
    profile = get_object_or_404(Profile.objects.for_company(request.company), pk=profile_id)
    try:
        group_remove_profile(group=group, profile=profile, actor=request.user)
    except GroupError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{profile.phone_number} removed from {group.name}.")
    return redirect("campaigns:group_detail", pk=group.pk)


@require_POST
@require_perm(Perm.MANAGE)
def group_delete_view(request: CompanyRequest, pk: int) -> HttpResponse:
    group = _group(request, pk)
    try:
        group_delete(group=group)
    except GroupError as exc:
        messages.error(request, str(exc))
        return redirect("campaigns:group_detail", pk=group.pk)
    messages.success(request, f"Group {group.name} deleted.")
    return redirect("campaigns:group_list")


def _upload(request: CompanyRequest, pk: int, upload_pk: int) -> GroupUpload:
    return get_object_or_404(
        GroupUpload.objects.for_company(request.company).select_related("group"),
        pk=upload_pk,
        group_id=pk,
    )


@require_GET
@require_perm(Perm.VIEW)
def group_upload_status(request: CompanyRequest, pk: int, upload_pk: int) -> HttpResponse:
    """The upload's progress card (polled by the group page), or the card on its own page."""
    upload = _upload(request, pk, upload_pk)
    template = "campaigns/_group_upload.html" if request.htmx else "campaigns/group_upload.html"
    return render(request, template, {"upload": upload, "group": upload.group})


@require_GET
@require_perm(Perm.MANAGE)
def group_upload_results(request: CompanyRequest, pk: int, upload_pk: int) -> FileResponse:
    """Per-row outcomes name every number of the list: for whoever may manage groups."""
    upload = _upload(request, pk, upload_pk)
    if not upload.results_file:
        raise Http404("The results are not ready yet.")
    return private_file_response(
        upload.results_file, filename=f"group-upload-results-{upload.pk}.csv"
    )


@require_GET
@require_perm(Perm.MANAGE)
def group_upload_source(request: CompanyRequest, pk: int, upload_pk: int) -> FileResponse:
    upload = _upload(request, pk, upload_pk)
    if not upload.source_file:
        raise Http404("This upload has no stored file.")
    return private_file_response(upload.source_file, filename=f"group-upload-{upload.pk}.csv")
