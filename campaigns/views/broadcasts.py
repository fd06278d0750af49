"""Broadcasts: list, compose (with a live estimate), schedule changes, report."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm
from profiles.models import Group

from ..broadcast_actions import (
    broadcast_cancel,
    broadcast_delete,
    broadcast_estimate_current,
    broadcast_preview,
    test_phone_for,
)
from ..broadcast_content import broadcast_content_report
from ..broadcast_rows import broadcast_rows
from ..broadcasts import (
    BroadcastError,
    ScheduleAt,
    broadcast_check,
    broadcast_create,
    broadcast_reschedule,
    broadcast_schedule,
    broadcast_unschedule,
    broadcast_update,
)
from ..forms import BroadcastForm
from ..messaging_port import messaging_port
from ..models import Broadcast, Campaign
from ..selectors import (
    broadcast_estimate,
    broadcast_list,
    broadcast_progress,
)
from .broadcast_confirm import CHECKED_FIELDS, confirm_context


@require_perm(Perm.VIEW)
def broadcast_list_view(request: CompanyRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    broadcasts = broadcast_list(company=request.company, status=status)
    page = Paginator(broadcasts, 25).get_page(request.GET.get("page"))
    campaigns = Campaign.objects.for_company(request.company).filter(active=True)
    ctx = {
        "page": page,
        "status": status,
        "statuses": Broadcast.Status.choices,
        "campaigns": campaigns,
        "rows": broadcast_rows(page.object_list, show_campaign=True),
    }
    return render(request, "campaigns/broadcasts.html", ctx)


def _broadcast(request: CompanyRequest, pk: int) -> Broadcast:
    return get_object_or_404(
        Broadcast.objects.for_company(request.company).select_related("campaign"), pk=pk
    )


def _fields(form: BroadcastForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "body": data["body"],
        "include_subscribers": data["include_subscribers"],
        "included_groups": data["included_groups"],
        "excluded_groups": data["excluded_groups"],
        "throttle_per_minute": data["throttle_per_minute"],
        "localtime": data["localtime"],
        "tags": form.cleaned_tags(),
        "message_template": data["message_template"],
        "shorten_links": data["shorten_links"],
    }


def _schedule_at(form: BroadcastForm) -> ScheduleAt:
    send = form.cleaned_data["send"]
    if send == "now":
        return "now"
    if send == "later":
        return form.cleaned_data["delivery_time"]
    return None


def _save(request: CompanyRequest, form: BroadcastForm, broadcast: Broadcast | None) -> Broadcast:
    """Save and (re)schedule in one transaction: a refused time saves nothing."""
    fields, when = _fields(form), _schedule_at(form)
    if broadcast is None:
        return broadcast_create(
            campaign=form.campaign, actor=request.user, schedule_at=when, **fields
        )
    return broadcast_update(broadcast=broadcast, schedule_at=when, **fields)


def _confirm_compose(
    request: CompanyRequest, form: BroadcastForm, campaign: Campaign, broadcast: Broadcast | None
) -> HttpResponse:
    """The step between "send" and sending: who, how many, when, and the text."""
    fields, when = _fields(form), _schedule_at(form)
    broadcast_check(
        campaign=campaign,
        broadcast=broadcast,
        schedule_at=when,
        **{k: fields[k] for k in CHECKED_FIELDS},
    )
    estimate = broadcast_estimate(
        company=request.company,
        campaign=campaign,
        include_subscribers=fields["include_subscribers"],
        included_groups=fields["included_groups"],
        excluded_groups=fields["excluded_groups"],
    )
    moment = None if when == "now" else when
    ctx = confirm_context(
        campaign=campaign, recipients=estimate["recipients"], when=moment, body=fields["body"]
    )
    ctx.update(
        {
            "form": form,
            "action": request.get_full_path(),
            "estimate": {**estimate, "as_of": timezone.now()},
            "back": True,
            "cancel_url": _back_url(campaign, broadcast),
        }
    )
    return render(request, "campaigns/broadcast_confirm.html", ctx)


def _back_url(campaign: Campaign, broadcast: Broadcast | None) -> str:
    if broadcast is not None:
        return reverse("campaigns:broadcast_detail", args=[broadcast.pk])
    return reverse("campaigns:detail", args=[campaign.pk])


def _compose(request: CompanyRequest, campaign: Campaign, broadcast: Broadcast | None):
    initial = BroadcastForm.initial_for(broadcast) if broadcast else {}
    form = BroadcastForm(
        request.POST or None, initial=initial, company=request.company, campaign=campaign
    )
    going_back = "back" in request.POST
    if request.method == "POST" and not going_back and form.is_valid():
        sends = _schedule_at(form) is not None
        try:
            if sends and request.POST.get("confirmed") != "1":
                return _confirm_compose(request, form, campaign, broadcast)
            saved = _save(request, form, broadcast)
        except BroadcastError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _saved_message(saved, sent_now=_schedule_at(form) == "now"))
            return redirect("campaigns:broadcast_detail", pk=saved.pk)
    ctx = {
        "form": form,
        "campaign": campaign,
        "broadcast": broadcast,
        "test_phone": test_phone_for(company=request.company, actor=request.user),
    }
    return render(request, "campaigns/broadcast_form.html", ctx)


def _saved_message(broadcast: Broadcast, *, sent_now: bool) -> str:
    if sent_now:
        return f"Broadcast is being sent to {broadcast.estimated_recipients_count:,} recipients."
    if broadcast.status == Broadcast.Status.SCHEDULED and broadcast.delivery_time:
        return f"Broadcast scheduled for {broadcast.estimated_recipients_count:,} recipients."
    if broadcast.status == Broadcast.Status.DRAFT:
        return "Broadcast saved as a draft."
    return "Broadcast is being sent."


@require_perm(Perm.BROADCAST)
def broadcast_new(request: CompanyRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.for_company(request.company), pk=pk)
    if not campaign.active:
        messages.error(request, f"The campaign {campaign.name} has ended.")
        return redirect("campaigns:detail", pk=campaign.pk)
    return _compose(request, campaign, None)


@require_perm(Perm.BROADCAST)
def broadcast_edit(request: CompanyRequest, pk: int) -> HttpResponse:
    broadcast = _broadcast(request, pk)
    if broadcast.status not in (Broadcast.Status.DRAFT, Broadcast.Status.SCHEDULED):
        messages.error(request, "This broadcast has started and can no longer be edited.")
        return redirect("campaigns:broadcast_detail", pk=broadcast.pk)
    return _compose(request, broadcast.campaign, broadcast)


@require_POST
@require_perm(Perm.BROADCAST)
def broadcast_estimate_view(request: CompanyRequest, pk: int) -> HttpResponse:
    """The estimate panel of the compose form (htmx), for the audience chosen so far."""
    campaign = get_object_or_404(Campaign.objects.for_company(request.company), pk=pk)
    groups = Group.objects.for_company(request.company)

    def chosen(name: str) -> list[Group]:
        ids = [v for v in request.POST.getlist(name) if v.isdigit()]
        return list(groups.filter(pk__in=ids))

    estimate = broadcast_estimate(
        company=request.company,
        campaign=campaign,
        include_subscribers=bool(request.POST.get("include_subscribers")),
        included_groups=chosen("included_groups"),
        excluded_groups=chosen("excluded_groups"),
    )
    return render(request, "campaigns/_estimate.html", {"estimate": estimate})


@require_perm(Perm.VIEW)
def broadcast_detail(request: CompanyRequest, pk: int) -> HttpResponse:
    broadcast = _broadcast(request, pk)
    ctx = {
        "broadcast": broadcast,
        "estimate": broadcast_estimate_current(broadcast=broadcast),
        "progress": broadcast_progress(broadcast=broadcast),
        "waiting": messaging_port().broadcast_waiting_for_window(broadcast=broadcast),
        "included": broadcast.included_groups.all(),
        "excluded": broadcast.excluded_groups.all(),
        "tags": broadcast.tags.all(),
    }
    if request.htmx and request.GET.get("part") == "progress":
        return render(request, "campaigns/_broadcast_progress.html", ctx)
    ctx["preview"] = broadcast_preview(body=broadcast.body)
    ctx["test_phone"] = test_phone_for(company=request.company, actor=request.user)
    ctx.update(broadcast_content_report(broadcast=broadcast))  # segments spread, clicks
    return render(request, "campaigns/broadcast_detail.html", ctx)


# The actions that send or destroy ask first (campaigns/views/broadcast_confirm.py);
# a POST without `confirmed` (an old page, a script) is sent to that question.
CONFIRMED_ACTIONS = ("send-now", "cancel", "delete")


@require_POST
@require_perm(Perm.BROADCAST)
def broadcast_state(request: CompanyRequest, pk: int, action: str) -> HttpResponse:
    broadcast = _broadcast(request, pk)
    if action in CONFIRMED_ACTIONS and request.POST.get("confirmed") != "1":
        return redirect("campaigns:broadcast_confirm", pk=broadcast.pk, action=action)
    try:
        if action == "unschedule":
            broadcast_unschedule(broadcast=broadcast)
            messages.success(request, "Broadcast unscheduled; it is a draft again.")
        elif action == "send-now":
            if broadcast.status == Broadcast.Status.SCHEDULED:
                broadcast_reschedule(broadcast=broadcast)
            else:
                broadcast_schedule(broadcast=broadcast)
            messages.success(request, "Broadcast is being sent.")
        elif action == "cancel":
            broadcast_cancel(broadcast=broadcast)
            messages.success(request, "Broadcast canceled. It is listed under Canceled.")
        elif action == "delete":
            broadcast_delete(broadcast=broadcast)
            messages.success(request, f"Draft {broadcast.name} deleted.")
            return redirect("campaigns:broadcast_list")
        else:
            return HttpResponse(status=404)
    except BroadcastError as exc:
        messages.error(request, str(exc))
    return redirect("campaigns:broadcast_detail", pk=broadcast.pk)
