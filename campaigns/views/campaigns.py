"""Campaign list and page; admins create, edit and end campaigns, paths and keywords."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm

from ..broadcast_rows import broadcast_rows
from ..forms import CampaignForm, KeywordForm, OptInPathForm
from ..models import Campaign, Keyword
from ..selectors import broadcast_list, campaign_list, campaign_subscriber_counts
from ..services_campaigns import (
    CampaignError,
    campaign_create,
    campaign_end,
    campaign_update,
    keyword_create,
    keyword_end,
    opt_in_path_create,
)


@require_perm(Perm.VIEW)
def campaign_list_view(request: CompanyRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    campaigns = campaign_list(company=request.company, status=status)
    return render(request, "campaigns/list.html", {"campaigns": campaigns, "status": status})


def _campaign(request: CompanyRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.for_company(request.company), pk=pk)


@require_perm(Perm.VIEW)
def campaign_detail(request: CompanyRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    paths = campaign.opt_in_paths.prefetch_related("keywords__channel", "tags", "steps").order_by(
        "name"
    )
    broadcasts = list(broadcast_list(company=request.company, campaign_id=campaign.pk)[:20])
    ctx = {
        "campaign": campaign,
        "counts": campaign_subscriber_counts(campaign=campaign),
        "paths": paths,
        "broadcasts": broadcasts,
        "broadcast_rows": broadcast_rows(broadcasts, show_campaign=False),
        "path_form": OptInPathForm(),
        "keyword_form": KeywordForm(campaign=campaign),
    }
    return render(request, "campaigns/detail.html", ctx)


@require_perm(Perm.MANAGE)
def campaign_create_view(request: CompanyRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, company=request.company)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_create(
                company=request.company,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                timezone_name=form.cleaned_data["timezone"],
                help_text=form.cleaned_data["help_text"],
                opt_out_text=form.cleaned_data["opt_out_text"],
                tags=form.cleaned_tags(),
                channel=form.cleaned_data["channel"],
            )
        except CampaignError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Campaign {campaign.name} created.")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/form.html", {"form": form, "campaign": None})


@require_perm(Perm.MANAGE)
def campaign_edit(request: CompanyRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    initial = {
        "name": campaign.name,
        "description": campaign.description,
        "timezone": campaign.timezone,
        "help_text": campaign.help_text,
        "opt_out_text": campaign.opt_out_text,
        "tags": ", ".join(t.name for t in campaign.tags.all()),
        "channel": campaign.channel_id,
    }
    form = CampaignForm(request.POST or None, initial=initial, company=request.company)
    if request.method == "POST" and form.is_valid():
        try:
            campaign_update(
                campaign=campaign,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                timezone_name=form.cleaned_data["timezone"],
                help_text=form.cleaned_data["help_text"],
                opt_out_text=form.cleaned_data["opt_out_text"],
                tags=form.cleaned_tags(),
                channel=form.cleaned_data["channel"],
            )
        except CampaignError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Campaign saved.")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/form.html", {"form": form, "campaign": campaign})


@require_POST
@require_perm(Perm.MANAGE)
def campaign_end_view(request: CompanyRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        campaign_end(campaign=campaign)
    except CampaignError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Campaign {campaign.name} ended.")
    return redirect("campaigns:detail", pk=campaign.pk)


@require_POST
@require_perm(Perm.MANAGE)
def opt_in_path_create_view(request: CompanyRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = OptInPathForm(request.POST)
    if form.is_valid():
        try:
            opt_in_path_create(
                campaign=campaign,
                name=form.cleaned_data["name"],
                welcome_message=form.cleaned_data["welcome_message"],
            )
        except CampaignError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Opt-in path added.")
    else:
        messages.error(request, "An opt-in path needs a name.")
    return redirect("campaigns:detail", pk=campaign.pk)


@require_POST
@require_perm(Perm.MANAGE)
def keyword_create_view(request: CompanyRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = KeywordForm(request.POST, campaign=campaign)
    if form.is_valid():
        try:
            keyword = keyword_create(
                opt_in_path=form.cleaned_data["opt_in_path"], name=form.cleaned_data["name"]
            )
        except CampaignError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Keyword {keyword.name} added.")
    else:
        messages.error(request, "Choose an opt-in path and type one word.")
    return redirect("campaigns:detail", pk=campaign.pk)


@require_POST
@require_perm(Perm.MANAGE)
def keyword_end_view(request: CompanyRequest, pk: int, keyword_id: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    keyword = get_object_or_404(
        Keyword.objects.for_company(request.company), pk=keyword_id, opt_in_path__campaign=campaign
    )
    keyword_end(keyword=keyword)
    messages.success(request, f"Keyword {keyword.name} ended.")
    return redirect("campaigns:detail", pk=campaign.pk)
