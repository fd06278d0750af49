"""Broadcasts: list, compose (with a live estimate), schedule changes, report."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from profiles.models import Group
from profiles.tenancy import Perm, require_perm

from ..broadcasts import (
    BroadcastError,
    broadcast_create,
    broadcast_reschedule,
    broadcast_schedule,
    broadcast_unschedule,
    broadcast_update,
)
from ..forms import BroadcastForm
from ..models import Broadcast, Campaign
from ..selectors import (
    broadcast_estimate,
    broadcast_list,
    broadcast_progress,
    broadcast_waiting_for_window,
)


@require_perm(Perm.VIEW)
def broadcast_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    broadcasts = broadcast_list(company=request.company, status=status)
    page = Paginator(broadcasts, 25).get_page(request.GET.get("page"))
    campaigns = Campaign.objects.for_company(request.company).filter(active=True)
    ctx = {
        "page": page,
        "status": status,
        "statuses": Broadcast.Status.choices,
        "campaigns": campaigns,
    }
    return render(request, "campaigns/broadcasts.html", ctx)


def _broadcast(request: HttpRequest, pk: int) -> Broadcast:
    return get_object_or_404(
        Broadcast.objects.for_company(request.company).select_related("campaign"), pk=pk
    )


def _save(request: HttpRequest, form: BroadcastForm, broadcast: Broadcast | None) -> Broadcast:
    data = form.cleaned_data
    fields: dict[str, Any] = {
        "name": data["name"],
        "body": data["body"],
        "include_subscribers": data["include_subscribers"],
        "included_groups": data["included_groups"],
        "excluded_groups": data["excluded_groups"],
        "throttle_per_minute": data["throttle_per_minute"],
        "localtime": data["localtime"],
        "tags": form.cleaned_tags(),
    }
    if broadcast is None:
        broadcast = broadcast_create(campaign=form.campaign, actor=request.user, **fields)
    else:
        broadcast = broadcast_update(broadcast=broadcast, **fields)
    when = data["delivery_time"] if data["send"] == "later" else None
    if data["send"] in ("now", "later"):
        if broadcast.status == Broadcast.Status.SCHEDULED:
            return broadcast_reschedule(broadcast=broadcast, delivery_time=when)
        return broadcast_schedule(broadcast=broadcast, delivery_time=when)
    if broadcast.status == Broadcast.Status.SCHEDULED:
        return broadcast_unschedule(broadcast=broadcast)
    return broadcast


def _compose(request: HttpRequest, campaign: Campaign, broadcast: Broadcast | None):
    initial = BroadcastForm.initial_for(broadcast) if broadcast else {}
    form = BroadcastForm(
        request.POST or None, initial=initial, company=request.company, campaign=campaign
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(request, form, broadcast)
        except BroadcastError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _saved_message(saved))
            return redirect("campaigns:broadcast_detail", pk=saved.pk)
    ctx = {"form": form, "campaign": campaign, "broadcast": broadcast}
    return render(request, "campaigns/broadcast_form.html", ctx)


def _saved_message(broadcast: Broadcast) -> str:
    if broadcast.status == Broadcast.Status.SCHEDULED and broadcast.delivery_time:
        return f"Broadcast scheduled for {broadcast.estimated_recipients_count:,} recipients."
    if broadcast.status == Broadcast.Status.DRAFT:
        return "Broadcast saved as a draft."
    return "Broadcast is being sent."


@require_perm(Perm.BROADCAST)
def broadcast_new(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.for_company(request.company), pk=pk)
    if not campaign.active:
        messages.error(request, f"The campaign {campaign.name} has ended.")
        return redirect("campaigns:detail", pk=campaign.pk)
    return _compose(request, campaign, None)


@require_perm(Perm.BROADCAST)
def broadcast_edit(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = _broadcast(request, pk)
    if broadcast.status not in (Broadcast.Status.DRAFT, Broadcast.Status.SCHEDULED):
        messages.error(request, "This broadcast has started and can no longer be edited.")
        return redirect("campaigns:broadcast_detail", pk=broadcast.pk)
    return _compose(request, broadcast.campaign, broadcast)


@require_POST
@require_perm(Perm.BROADCAST)
def broadcast_estimate_view(request: HttpRequest, pk: int) -> HttpResponse:
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
def broadcast_detail(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = _broadcast(request, pk)
    ctx = {
        "broadcast": broadcast,
        "progress": broadcast_progress(broadcast=broadcast),
        "waiting": broadcast_waiting_for_window(broadcast=broadcast),
        "included": broadcast.included_groups.all(),
        "excluded": broadcast.excluded_groups.all(),
        "tags": broadcast.tags.all(),
    }
    if request.htmx and request.GET.get("part") == "progress":
        return render(request, "campaigns/_broadcast_progress.html", ctx)
    return render(request, "campaigns/broadcast_detail.html", ctx)


@require_POST
@require_perm(Perm.BROADCAST)
def broadcast_state(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    broadcast = _broadcast(request, pk)
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
        else:
            return HttpResponse(status=404)
    except BroadcastError as exc:
        messages.error(request, str(exc))
    return redirect("campaigns:broadcast_detail", pk=broadcast.pk)
