"""The composer's preview (htmx): the body filled in for a sample profile, its segments,
and those of its likely longest expansion."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm
from core.segments import max_segments

from ..broadcast_content import broadcast_compose_preview
from ..models import Campaign


@require_POST
@require_perm(Perm.BROADCAST)
def compose_preview_view(request: CompanyRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.for_company(request.company), pk=pk)
    preview, profile = broadcast_compose_preview(
        company=request.company,
        campaign=campaign,
        body=request.POST.get("body", "")[:5000],
        shorten_links=bool(request.POST.get("shorten_links")),
    )
    ctx = {"preview": preview, "profile": profile, "max_segments": max_segments()}
    return render(request, "campaigns/_compose_preview.html", ctx)
