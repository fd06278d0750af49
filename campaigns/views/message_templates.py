"""A campaign's message templates: added, edited and deleted by Admins on its page."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm
from core.segments import max_segments
from core.text_rules import TextRulesFormMixin

from ..message_templates import (
    MessageTemplateError,
    message_template_create,
    message_template_delete,
    message_template_update,
)
from ..models import Campaign, MessageTemplate


class MessageTemplateForm(TextRulesFormMixin, forms.Form):
    name_fields = ("name",)
    name = forms.CharField(max_length=200)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "data-sms-counter": "#template-counter"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["data-max-segments"] = str(max_segments())


def _campaign(request: CompanyRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.for_company(request.company), pk=pk)


def _template(request: CompanyRequest, pk: int, template_id: int) -> MessageTemplate:
    return get_object_or_404(
        MessageTemplate.objects.for_company(request.company).select_related("campaign"),
        pk=template_id,
        campaign_id=pk,
    )


@require_perm(Perm.MANAGE)
def message_template_new(request: CompanyRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = MessageTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = message_template_create(campaign=campaign, **form.cleaned_data)
        except MessageTemplateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Template {template.name} saved.")
            return redirect("campaigns:detail", campaign.pk)
    ctx = {"campaign": campaign, "form": form, "template": None}
    return render(request, "campaigns/message_template_form.html", ctx)


@require_perm(Perm.MANAGE)
def message_template_edit(request: CompanyRequest, pk: int, template_id: int) -> HttpResponse:
    template = _template(request, pk, template_id)
    initial = {"name": template.name, "body": template.body}
    form = MessageTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            message_template_update(template=template, **form.cleaned_data)
        except MessageTemplateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Template {template.name} saved.")
            return redirect("campaigns:detail", pk)
    ctx = {"campaign": template.campaign, "form": form, "template": template}
    return render(request, "campaigns/message_template_form.html", ctx)


@require_POST
@require_perm(Perm.MANAGE)
def message_template_remove(request: CompanyRequest, pk: int, template_id: int) -> HttpResponse:
    template = _template(request, pk, template_id)
    try:
        message_template_delete(template=template)
    except MessageTemplateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Template {template.name} deleted.")
    return redirect("campaigns:detail", pk)
