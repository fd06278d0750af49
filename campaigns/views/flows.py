"""An opt-in path's page: Admins edit its settings (double opt-in) and its flow's steps."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm

from ..flow_setup import (
    WINDOW_MAX_HOURS,
    flow_step_create,
    flow_step_delete,
    flow_step_move,
    flow_step_update,
    opt_in_path_update,
)
from ..forms import FlowStepForm, OptInPathSettingsForm
from ..models import Campaign, FlowRun, FlowStep, OptInPath
from ..services_campaigns import CampaignError


def _path(request: CompanyRequest, pk: int, path_id: int) -> OptInPath:
    campaign = get_object_or_404(Campaign.objects.for_company(request.company), pk=pk)
    return get_object_or_404(
        OptInPath.objects.for_company(request.company).select_related("campaign"),
        pk=path_id,
        campaign=campaign,
    )


def _step(path: OptInPath, step_id: int) -> FlowStep:
    return get_object_or_404(
        FlowStep.objects.for_company(path.company_id).select_related("opt_in_path"),
        pk=step_id,
        opt_in_path=path,
    )


def _page(
    request: CompanyRequest,
    path: OptInPath,
    *,
    settings_form: OptInPathSettingsForm | None = None,
    add_form: FlowStepForm | None = None,
    failed_step: tuple[int, FlowStepForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    steps = list(path.steps.select_related("custom_field").order_by("position", "id"))
    rows = []
    for step in steps:
        if failed_step is not None and failed_step[0] == step.pk:
            form = failed_step[1]
        else:
            form = FlowStepForm(
                initial=FlowStepForm.initial_for(step),
                company=request.company,
                prefix=f"step-{step.pk}",
            )
        rows.append((step, form))
    ctx = {
        "campaign": path.campaign,
        "path": path,
        "rows": rows,
        "settings_form": settings_form
        or OptInPathSettingsForm(initial=OptInPathSettingsForm.initial_for(path)),
        "add_form": add_form or FlowStepForm(company=request.company, prefix="new"),
        "waiting": FlowRun.objects.for_company(request.company)
        .filter(opt_in_path=path, state__in=FlowRun.OPEN_STATES)
        .count(),
        "window_max": WINDOW_MAX_HOURS,
    }
    return render(request, "campaigns/opt_in_path.html", ctx, status=status)


@require_perm(Perm.MANAGE)
def opt_in_path_detail(request: CompanyRequest, pk: int, path_id: int) -> HttpResponse:
    return _page(request, _path(request, pk, path_id))


@require_POST
@require_perm(Perm.MANAGE)
def opt_in_path_settings(request: CompanyRequest, pk: int, path_id: int) -> HttpResponse:
    path = _path(request, pk, path_id)
    form = OptInPathSettingsForm(request.POST)
    if form.is_valid():
        try:
            opt_in_path_update(path=path, **form.cleaned_data)
        except CampaignError as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Opt-in path saved.")
            return redirect("campaigns:opt_in_path", pk=pk, path_id=path.pk)
    path.refresh_from_db()
    return _page(request, path, settings_form=form, status=400)


def _refused(form: FlowStepForm | OptInPathSettingsForm, error: CampaignError) -> None:
    """The service's refusal beside the field it is about (an unknown merge field in the
    retry text is shown under the retry text), else at the top of the form."""
    form.add_error(error.field if error.field in form.fields else None, str(error))


def _step_values(form: FlowStepForm) -> dict:
    data = form.cleaned_data
    return {
        "kind": data["kind"],
        "body": data["body"],
        "retry_text": data.get("retry_text") or "",
        "custom_field": data.get("custom_field"),
        "attribute": data.get("attribute") or "",
    }


@require_POST
@require_perm(Perm.MANAGE)
def flow_step_add(request: CompanyRequest, pk: int, path_id: int) -> HttpResponse:
    path = _path(request, pk, path_id)
    form = FlowStepForm(request.POST, company=request.company, prefix="new")
    if form.is_valid():
        try:
            flow_step_create(path=path, **_step_values(form))
        except CampaignError as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Step added.")
            return redirect("campaigns:opt_in_path", pk=pk, path_id=path.pk)
    return _page(request, path, add_form=form, status=400)


@require_POST
@require_perm(Perm.MANAGE)
def flow_step_edit(request: CompanyRequest, pk: int, path_id: int, step_id: int) -> HttpResponse:
    path = _path(request, pk, path_id)
    step = _step(path, step_id)
    form = FlowStepForm(request.POST, company=request.company, prefix=f"step-{step.pk}")
    if form.is_valid():
        try:
            flow_step_update(step=step, **_step_values(form))
        except CampaignError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Step {step.position + 1} saved.")
            return redirect("campaigns:opt_in_path", pk=pk, path_id=path.pk)
    return _page(request, path, failed_step=(step.pk, form), status=400)


@require_POST
@require_perm(Perm.MANAGE)
def flow_step_move_view(
    request: CompanyRequest, pk: int, path_id: int, step_id: int, direction: str
) -> HttpResponse:
    path = _path(request, pk, path_id)
    step = _step(path, step_id)
    if direction not in ("up", "down"):
        return HttpResponse("Unknown direction", status=400)
    flow_step_move(step=step, up=direction == "up")
    return redirect("campaigns:opt_in_path", pk=pk, path_id=path.pk)


@require_POST
@require_perm(Perm.MANAGE)
def flow_step_delete_view(
    request: CompanyRequest, pk: int, path_id: int, step_id: int
) -> HttpResponse:
    path = _path(request, pk, path_id)
    flow_step_delete(step=_step(path, step_id))
    messages.success(request, "Step deleted.")
    return redirect("campaigns:opt_in_path", pk=pk, path_id=path.pk)
