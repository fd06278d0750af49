"""The questions asked before a broadcast goes out or goes away, and the test send.

Every path that sends asks first, naming the campaign and the number of recipients
counted at that moment: the compose form's "send now" and "send at a time" (a second
step of the same form, see views.broadcasts._compose) and the detail page's Send now.
Cancel and delete ask too. The questions are pages, so they work without JavaScript.
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm

from ..broadcast_actions import (
    TestSendError,
    TestSent,
    broadcast_estimate_current,
    broadcast_preview,
    broadcast_test_send,
    delivery_label,
    test_phone_for,
)
from ..forms import BroadcastForm
from ..models import Broadcast, Campaign

# The compose fields broadcast_check validates (name, tags, localtime cannot be refused).
CHECKED_FIELDS = (
    "body",
    "include_subscribers",
    "included_groups",
    "excluded_groups",
    "throttle_per_minute",
    "shorten_links",
)


def confirm_context(
    *, campaign: Campaign, recipients: int, when: dt.datetime | None, body: str
) -> dict[str, Any]:
    """The question and the button of a send confirmation, in the sender's words."""
    label = delivery_label(when, campaign.timezone)
    people = f"{recipients:,} recipient{'s' if recipients != 1 else ''}"
    if when is None:
        question = f"Send to {people} of {campaign.name} now?"
        button = f"Send to {recipients:,} now"
    else:
        question = f"Schedule for {people} of {campaign.name}, {label}?"
        button = f"Schedule for {recipients:,}, {label}"
    return {
        "campaign": campaign,
        "question": question,
        "button": button,
        "recipients": recipients,
        "preview": broadcast_preview(body=body),
        "danger": False,
    }


def _broadcast(request: CompanyRequest, pk: int) -> Broadcast:
    return get_object_or_404(
        Broadcast.objects.for_company(request.company).select_related("campaign", "company"),
        pk=pk,
    )


@require_GET
@require_perm(Perm.BROADCAST)
def broadcast_confirm(request: CompanyRequest, pk: int, action: str) -> HttpResponse:
    """Ask before Send now, Cancel or Delete of a saved broadcast."""
    broadcast = _broadcast(request, pk)
    estimate = broadcast_estimate_current(broadcast=broadcast)
    detail = reverse("campaigns:broadcast_detail", args=[broadcast.pk])
    if action == "send-now":
        if broadcast.status not in (Broadcast.Status.DRAFT, Broadcast.Status.SCHEDULED):
            messages.error(request, f"This broadcast is {broadcast.status}; it cannot be sent.")
            return redirect(detail)
        ctx = confirm_context(
            campaign=broadcast.campaign,
            recipients=estimate["recipients"],
            when=None,
            body=broadcast.body,
        )
    elif action == "cancel":
        ctx = {
            "question": f"Cancel {broadcast.name}? It will not be sent to its "
            f"{estimate['recipients']:,} recipients, and cannot be scheduled again.",
            "button": "Cancel the broadcast",
            "danger": True,
        }
    elif action == "delete":
        ctx = {
            "question": f"Delete the draft {broadcast.name}? This cannot be undone.",
            "button": "Delete the draft",
            "danger": True,
        }
    else:
        raise Http404("No such action.")
    ctx.update(
        {
            "broadcast": broadcast,
            "estimate": estimate,
            "action": reverse("campaigns:broadcast_state", args=[broadcast.pk, action]),
            "cancel_url": detail,
        }
    )
    return render(request, "campaigns/broadcast_confirm.html", ctx)


def _test_result(request: HttpRequest, sent: TestSent | None, error: str) -> None:
    if error:
        messages.error(request, error)
    elif sent is not None and sent.undeliverable:
        messages.error(request, f"The test was not sent to {sent.phone_number}: {sent.reason}.")
    elif sent is not None:
        messages.success(request, f"Test sent to {sent.phone_number}.")


def _send_test(
    request: CompanyRequest, campaign: Campaign, body: str
) -> tuple[TestSent | None, str]:
    try:
        sent = broadcast_test_send(
            company=request.company,
            campaign=campaign,
            body=body,
            phone=request.POST.get("test_phone", "").strip(),
            actor=request.user,
        )
    except TestSendError as error:
        return None, str(error)
    return sent, ""


@require_POST
@require_perm(Perm.BROADCAST)
def broadcast_test(request: CompanyRequest, pk: int) -> HttpResponse:
    """Send a saved broadcast's text to the sender's own phone."""
    broadcast = _broadcast(request, pk)
    sent, error = _send_test(request, broadcast.campaign, broadcast.body)
    _test_result(request, sent, error)
    return redirect("campaigns:broadcast_detail", pk=broadcast.pk)


@require_POST
@require_perm(Perm.BROADCAST)
def compose_test(request: CompanyRequest, pk: int) -> HttpResponse:
    """The compose form's "Send a test to my phone": the text typed so far, then the
    form again as it was (nothing is saved)."""
    campaign = get_object_or_404(Campaign.objects.for_company(request.company), pk=pk)
    broadcast = None
    if request.GET.get("broadcast", "").isdigit():
        broadcast = _broadcast(request, int(request.GET["broadcast"]))
        if broadcast.campaign_id != campaign.pk:
            raise Http404("No such broadcast in this campaign.")
    form = BroadcastForm(request.POST, company=request.company, campaign=campaign)
    body = request.POST.get("body", "")
    if not body.strip():
        messages.error(request, "Write the message before sending a test.")
    else:
        sent, error = _send_test(request, campaign, body)
        _test_result(request, sent, error)
    ctx = {
        "form": form,
        "campaign": campaign,
        "broadcast": broadcast,
        "test_phone": request.POST.get("test_phone", "")
        or test_phone_for(company=request.company, actor=request.user),
    }
    return render(request, "campaigns/broadcast_form.html", ctx)
