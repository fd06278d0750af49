"""The Reports page (/reports/): the Exports table, its live progress, downloads."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm
from core.private_files import private_file_response
from profiles.models import Profile
from profiles.selectors import SCOPE_KINDS, ProfileScope

from .exports.messages import messages_export_config, messages_export_name
from .exports.profiles import profiles_export_config, profiles_export_name
from .models import Export
from .rows import ExportRows
from .selectors import export_can_download, export_list
from .services import export_create

ROW_KEYS = ("q", "subscription_status", "first_seen_type", "profile_status", "sort")


def _row(request: CompanyRequest, rows: ExportRows, export: Export) -> SafeString:
    can_download = export_can_download(export=export, user=request.user, role=request.role)
    return rows.row(export, can_download=can_download)


@require_GET
@require_perm(Perm.VIEW)
def index(request: CompanyRequest) -> HttpResponse:
    paginator = Paginator(export_list(company=request.company), 25)
    page = paginator.get_page(request.GET.get("page"))
    maker = ExportRows()
    rows = [_row(request, maker, export) for export in page.object_list]
    return render(request, "reports/index.html", {"page": page, "rows": rows})


@require_GET
@require_perm(Perm.VIEW)
def export_status(request: CompanyRequest, pk: int) -> HttpResponse:
    """One row of the Exports table; the page polls it while the export runs."""
    export = get_object_or_404(export_list(company=request.company), pk=pk)
    return HttpResponse(_row(request, ExportRows(), export))


@require_GET
@require_perm(Perm.VIEW)
def export_download(request: CompanyRequest, pk: int) -> FileResponse:
    export = get_object_or_404(export_list(company=request.company), pk=pk)
    if export.status != "done" or not export.results_file.name:
        raise Http404("This export has no file yet.")
    if not export_can_download(export=export, user=request.user, role=request.role):
        raise PermissionDenied(
            "Only the person who asked for this export, or an Admin, may download it."
        )
    return private_file_response(
        export.results_file, filename=export.results_file.name.rsplit("/", 1)[-1]
    )


@require_POST
@require_perm(Perm.EXPORT)
def profiles_export(request: CompanyRequest) -> HttpResponse:
    """Save as CSV on the profiles table: queue an export of exactly the rows shown."""
    company = request.company
    submitted = QueryDict(request.POST.get("query", ""), mutable=True)
    query = QueryDict(mutable=True)
    for key in ROW_KEYS:
        if key in submitted:
            query.setlist(key, submitted.getlist(key))
    scope = None
    kind = request.POST.get("scope_kind", "")
    if kind:
        if kind not in SCOPE_KINDS:
            raise Http404("Unknown scope")
        try:
            scope = ProfileScope.load(
                company=company, kind=kind, object_id=int(request.POST.get("scope_id", ""))
            )
        except (ValueError, ObjectDoesNotExist) as exc:
            raise Http404("No such " + kind.replace("_", " ")) from exc
    encoded = query.urlencode()
    export = export_create(
        company=company,
        requested_by=request.user,
        kind=Export.Kind.PROFILES,
        name=profiles_export_name(company=company, query=encoded, scope=scope),
        config=profiles_export_config(query=encoded, scope=scope),
    )
    messages.success(
        request, f"Your export “{export.name}” has started. It appears below when it is ready."
    )
    return redirect("reports:index")


@require_POST
@require_perm(Perm.EXPORT)
def messages_export(request: CompanyRequest, profile_id: int) -> HttpResponse:
    """Save as CSV on a profile's Messages tab: queue an export of the tab's messages."""
    company = request.company
    profile = get_object_or_404(Profile.objects.for_company(company), pk=profile_id)
    search = request.POST.get("q", "")[:200]
    export = export_create(
        company=company,
        requested_by=request.user,
        kind=Export.Kind.MESSAGES,
        name=messages_export_name(profile=profile, search=search),
        config=messages_export_config(profile=profile, search=search),
    )
    messages.success(
        request, f"Your export “{export.name}” has started. It appears below when it is ready."
    )
    return redirect("reports:index")
