"""Profile Analysis pages: the analyses table, create, run now, delete, and the chart."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm
from core.text_rules import TextRulesFormMixin

from .analyses import (
    PARAMETERS,
    AnalysisError,
    analysis_chart,
    analysis_create,
    analysis_delete,
    analysis_parameters_text,
    analysis_queue,
)
from .models import ProfileAnalysis


class AnalysisForm(TextRulesFormMixin, forms.Form):
    name_fields = ("name",)

    analysis_type = forms.ChoiceField(
        choices=ProfileAnalysis.AnalysisType.choices, label="Analysis type"
    )
    recurring = forms.ChoiceField(choices=ProfileAnalysis.Recurring.choices)
    name = forms.CharField(max_length=200, required=False, label="Group name")
    mt_failures = forms.IntegerField(min_value=1, max_value=1000, initial=3, required=False)
    broadcasts = forms.IntegerField(min_value=1, max_value=1000, initial=3, required=False)
    period_days = forms.IntegerField(min_value=1, max_value=365, initial=30)
    response_hours = forms.IntegerField(min_value=1, max_value=720, initial=48, required=False)


def _rows(company) -> list[dict]:
    analyses = ProfileAnalysis.objects.for_company(company).select_related("group")
    return [{"a": a, "parameters": analysis_parameters_text(a)} for a in analyses]


@require_perm(Perm.VIEW)
def analysis_list(request: CompanyRequest) -> HttpResponse:
    ctx = {"rows": _rows(request.company), "form": AnalysisForm(), "parameters": PARAMETERS}
    return render(request, "reports/analysis_list.html", ctx)


@require_POST
@require_perm(Perm.ANALYZE)
def analysis_create_view(request: CompanyRequest) -> HttpResponse:
    form = AnalysisForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        wanted = PARAMETERS.get(data["analysis_type"], {})
        params = {k: data[k] for k in wanted if data.get(k) is not None}
        try:
            analysis = analysis_create(
                company=request.company,
                analysis_type=data["analysis_type"],
                recurring=data["recurring"],
                parameters=params,
                name=data["name"],
                actor=request.user,
            )
        except AnalysisError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Analysis {analysis.name} created; its first run is queued.")
            return redirect("reports:analysis_detail", pk=analysis.pk)
    ctx = {"rows": _rows(request.company), "form": form, "parameters": PARAMETERS}
    return render(request, "reports/analysis_list.html", ctx, status=400)


def _analysis(request: CompanyRequest, pk: int) -> ProfileAnalysis:
    return get_object_or_404(
        ProfileAnalysis.objects.for_company(request.company).select_related("group"), pk=pk
    )


@require_perm(Perm.VIEW)
def analysis_detail(request: CompanyRequest, pk: int) -> HttpResponse:
    analysis = _analysis(request, pk)
    ctx = {
        "analysis": analysis,
        "parameters": analysis_parameters_text(analysis),
        "chart": analysis_chart(analysis=analysis),
        "runs": analysis.runs.all()[:20],
    }
    return render(request, "reports/analysis_detail.html", ctx)


@require_POST
@require_perm(Perm.ANALYZE)
def analysis_run_view(request: CompanyRequest, pk: int) -> HttpResponse:
    """Run now. Queued to a worker like the periodic runs, never computed in the request."""
    analysis = _analysis(request, pk)
    analysis_queue(analysis=analysis)
    messages.success(request, f"{analysis.name} is running; the group updates when it is done.")
    return redirect("reports:analysis_detail", pk=analysis.pk)


@require_POST
@require_perm(Perm.ANALYZE)
def analysis_delete_view(request: CompanyRequest, pk: int) -> HttpResponse:
    analysis = _analysis(request, pk)
    analysis_delete(analysis=analysis)
    messages.success(request, f"Analysis {analysis.name} deleted; its group is kept.")
    return redirect("reports:analysis_list")
