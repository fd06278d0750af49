"""Admins set up an opt-in path's flow: its settings (double opt-in) and ordered steps."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from profiles.models import CustomField

from .models import FlowRun, FlowStep, OptInPath
from .services_campaigns import CampaignError, _auto_text, _name

WINDOW_MIN_HOURS = 1
# A month: a confirmation asked for longer ago than that is no answer to anything.
WINDOW_MAX_HOURS = 720


@transaction.atomic
def opt_in_path_update(
    *,
    path: OptInPath,
    name: str,
    welcome_message: str,
    double_opt_in: bool,
    confirmation_text: str,
    confirmation_window_hours: int,
) -> OptInPath:
    name = _name(name, field="The opt-in path name")
    if not name:
        raise CampaignError("An opt-in path needs a name.")
    if not WINDOW_MIN_HOURS <= confirmation_window_hours <= WINDOW_MAX_HOURS:
        raise CampaignError(
            f"The confirmation window is {WINDOW_MIN_HOURS} to {WINDOW_MAX_HOURS} hours."
        )
    company = path.company
    confirmation_text = _auto_text(
        confirmation_text,
        field="Confirmation request",
        company=company,
        form_field="confirmation_text",
    )
    if double_opt_in and not confirmation_text:
        raise CampaignError(
            "A double opt-in path needs its confirmation request, e.g. "
            "“Reply Y to confirm, N to cancel.”"
        )
    path.name = name
    path.welcome_message = _auto_text(
        welcome_message, field="Welcome message", company=company, form_field="welcome_message"
    )
    path.double_opt_in = double_opt_in
    path.confirmation_text = confirmation_text
    path.confirmation_window_hours = confirmation_window_hours
    path.save()
    return path


def _step_fields(
    *, path: OptInPath, kind: str, body: str, retry_text: str, custom_field, attribute: str
) -> dict:
    if kind not in FlowStep.Kind.values:
        raise CampaignError("Choose what the step does.")
    # The rule every saved body meets (campaigns.compose.body_validate): merge fields
    # the company has, and a likely longest expansion that fits.
    company = path.company
    body = _auto_text(body, field="The step's text", company=company, form_field="body")
    if not body:
        raise CampaignError("A step needs the text it sends.")
    retry_text = _auto_text(
        retry_text, field="Retry text", company=company, form_field="retry_text"
    )
    if kind == FlowStep.Kind.QUESTION:
        if custom_field is None:
            raise CampaignError("A question saves its answer in a custom field: choose one.")
        if custom_field.company_id != path.company_id:
            raise CampaignError("Choose one of your custom fields.")
        attribute = ""
    elif kind == FlowStep.Kind.INFO:
        if attribute not in FlowStep.Attribute.values:
            raise CampaignError("An info request saves a profile attribute: choose one.")
        custom_field = None
    else:
        custom_field, attribute, retry_text = None, "", ""
    return {
        "kind": kind,
        "body": body,
        "retry_text": retry_text,
        "custom_field": custom_field,
        "attribute": attribute,
    }


def _renumber(path: OptInPath, steps: list[FlowStep]) -> None:
    for position, step in enumerate(steps):
        if step.position != position:
            step.position = position
            step.save(update_fields=["position"])


def _locked_steps(path: OptInPath) -> list[FlowStep]:
    # One change of a path's steps at a time: positions span rows.
    OptInPath.objects.select_for_update().filter(pk=path.pk).first()
    return list(FlowStep.objects.filter(opt_in_path=path).order_by("position", "id"))


@transaction.atomic
def flow_step_create(
    *,
    path: OptInPath,
    kind: str,
    body: str,
    retry_text: str = "",
    custom_field: CustomField | None = None,
    attribute: str = "",
) -> FlowStep:
    """A new last step of the path."""
    fields = _step_fields(
        path=path,
        kind=kind,
        body=body,
        retry_text=retry_text,
        custom_field=custom_field,
        attribute=attribute,
    )
    steps = _locked_steps(path)
    _renumber(path, steps)
    return FlowStep.objects.create(
        company_id=path.company_id, opt_in_path=path, position=len(steps), **fields
    )


@transaction.atomic
def flow_step_update(
    *,
    step: FlowStep,
    kind: str,
    body: str,
    retry_text: str = "",
    custom_field: CustomField | None = None,
    attribute: str = "",
) -> FlowStep:
    fields = _step_fields(
        path=step.opt_in_path,
        kind=kind,
        body=body,
        retry_text=retry_text,
        custom_field=custom_field,
        attribute=attribute,
    )
    for name, value in fields.items():
        setattr(step, name, value)
    step.save()
    return step


@transaction.atomic
def flow_step_move(*, step: FlowStep, up: bool) -> FlowStep:
    """Swap the step with the one before (up) or after it; the ends stay put."""
    steps = _locked_steps(step.opt_in_path)
    index = [s.pk for s in steps].index(step.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(steps):
        steps[index], steps[other] = steps[other], steps[index]
    _renumber(step.opt_in_path, steps)
    step.refresh_from_db()
    return step


@transaction.atomic
def flow_step_delete(*, step: FlowStep) -> None:
    """Delete a step; numbers waiting at it stop waiting (their answer would go nowhere)."""
    path = step.opt_in_path
    steps = _locked_steps(path)
    FlowRun.objects.filter(step=step, state=FlowRun.State.WAITING).update(
        state=FlowRun.State.ENDED, finished_at=timezone.now(), step=None
    )
    deleted = step.pk
    step.delete()
    _renumber(path, [s for s in steps if s.pk != deleted])
