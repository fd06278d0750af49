"""The Opt-out review queue and the revocation report (FCC 2025, free-text revocations).

Agents read the probable revocations and decide each ("Opt out" or "Not a
revocation"); the periodic guard (messaging.revocations_enforce) escalates items near
their due date and opts out any still undecided when it comes.
"""

import csv
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.navigation import nav_badge
from accounts.tenancy import CompanyRequest, Perm, has_perm, require_perm
from core.csv_safe import csv_row
from messaging.models import FreeTextRevocation
from messaging.revocation_selectors import (
    revocation_counts,
    revocation_queue,
    revocation_report,
    revocations_decided,
)
from messaging.revocation_services import (
    RevocationError,
    revocation_dismiss,
    revocation_opt_out,
)

REPORT_DEFAULT_DAYS = 30


@nav_badge("inbox:opt_out_review")
def _queue_badge(request: HttpRequest) -> dict[str, Any] | None:
    company = getattr(request, "company", None)
    if company is None or not has_perm(getattr(request, "role", None), Perm.OPT_OUT_ONE):
        return None
    counts = revocation_counts(company=company)
    if not counts["waiting"]:
        return None
    escalated = counts["escalated"]
    return {
        "count": counts["waiting"],
        "unit": "waiting",
        "alert": f"{escalated} escalated" if escalated else "",
    }


@require_GET
@require_perm(Perm.OPT_OUT_ONE)
def opt_out_review(request: CompanyRequest) -> HttpResponse:
    company = request.company
    queue = list(revocation_queue(company=company))
    return render(
        request,
        "inbox/opt_out_review.html",
        {
            "queue": queue,
            "escalated": sum(1 for item in queue if item.escalated_at),
            "decided": revocations_decided(company=company),
            "today": timezone.localdate(),
        },
    )


@require_POST
@require_perm(Perm.OPT_OUT_ONE)
def opt_out_review_decide(request: CompanyRequest, pk: int) -> HttpResponse:
    company = request.company
    decision = request.POST.get("decision")
    actions = {"opt_out": revocation_opt_out, "not_revocation": revocation_dismiss}
    if decision not in actions:
        messages.error(request, "Choose Opt out or Not a revocation.")
        return redirect("inbox:opt_out_review")
    try:
        item = actions[decision](company=company, pk=pk, user=request.user)
    except FreeTextRevocation.DoesNotExist:
        raise Http404("No such review item") from None
    except RevocationError as error:
        messages.info(request, str(error))
    else:
        number = item.message.phone_number
        if decision == "opt_out":
            messages.success(request, f"{number} is opted out of every campaign.")
        else:
            messages.success(request, f"Recorded: the text from {number} is not a revocation.")
    return redirect("inbox:opt_out_review")


class ReportRange(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start date is after the end date.")
        return data


def _report_range(request: HttpRequest) -> tuple[ReportRange, date, date]:
    today = timezone.localdate()
    default = {"start": today - timedelta(days=REPORT_DEFAULT_DAYS - 1), "end": today}
    form = ReportRange(request.GET if "start" in request.GET else None, initial=default)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default["start"], default["end"]


def duration_text(value: timedelta | None) -> str:
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    if seconds < 60:
        return "under a minute"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


@require_GET
@require_perm(Perm.VIEW)
def revocation_report_page(request: CompanyRequest) -> HttpResponse:
    company = request.company
    form, start, end = _report_range(request)
    rows = revocation_report(company=company, start=start, end=end)
    return render(
        request,
        "inbox/revocation_report.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "rows": [
                {
                    "row": row,
                    "median": "at once" if row.at_once and row.count else duration_text(row.median),
                    "longest": "at once"
                    if row.at_once and row.count
                    else duration_text(row.longest),
                }
                for row in rows
            ],
            "total": sum(row.count for row in rows),
            "past_deadline": sum(row.past_deadline for row in rows),
            "can_export": has_perm(request.role, Perm.EXPORT),
        },
    )


@require_GET
@require_perm(Perm.EXPORT)
def revocation_report_csv(request: CompanyRequest) -> HttpResponse:
    """The report's table as CSV: a handful of rows, so written in the request rather
    than through the export queue."""
    company = request.company
    _, start, end = _report_range(request)
    rows = revocation_report(company=company, start=start, end=end)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="revocations-{start}-{end}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "channel",
            "honoured",
            "median_seconds",
            "max_seconds",
            "past_deadline",
            "waiting",
            "not_a_revocation",
        ]
    )
    for row in rows:
        median, longest = row.median, row.longest
        writer.writerow(
            csv_row(
                [
                    row.channel,
                    row.count,
                    int(median.total_seconds()) if median is not None else None,
                    int(longest.total_seconds()) if longest is not None else None,
                    row.past_deadline,
                    row.waiting,
                    row.dismissed,
                ]
            )
        )
    return response
