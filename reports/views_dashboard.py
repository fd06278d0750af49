"""The Home page (the program at a glance) and each broadcast's report."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.tenancy import CompanyRequest, Perm, require_perm

from .charts import days_table_rows, subscriber_chart
from .dashboard import (
    PERIODS,
    broadcast_funnel,
    broadcasts_recent,
    broadcasts_started,
    dashboard_summary,
    inbox_waiting,
    period_from,
)


@require_GET
@require_perm(Perm.VIEW)
def home(request: CompanyRequest) -> HttpResponse:
    company = request.company
    days = period_from(request.GET.get("days"))
    summary = dashboard_summary(company=company, days=days)
    funnels = broadcasts_recent(company=company)
    ctx = {
        "days": days,
        "periods": PERIODS,
        "summary": summary,
        "chart": subscriber_chart(summary.days),
        "days_rows": days_table_rows(summary.days),
        "waiting": inbox_waiting(company=company),
        "funnels": funnels,
    }
    return render(request, "reports/dashboard.html", ctx)


@require_GET
@require_perm(Perm.VIEW)
def broadcast_report(request: CompanyRequest, pk: int) -> HttpResponse:
    company = request.company
    broadcast = get_object_or_404(broadcasts_started(company=company), pk=pk)
    funnel = broadcast_funnel(company=company, broadcast=broadcast)
    ctx = {"funnel": funnel, "broadcast": broadcast}
    return render(request, "reports/broadcast_report.html", ctx)
