import datetime as dt
import zoneinfo
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.conf import settings

from accounts.models import Company
from core.segments import max_segments
from core.text_rules import TextRulesFormMixin
from profiles.models import CustomField, Group

from .models import Broadcast, Campaign, FlowStep, MessageTemplate, OptInPath

ZONES = sorted(
    z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
)


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _channel_model() -> Any:
    # The sending numbers are messaging's model, above this layer: the choices are
    # whatever the campaign's own `channel` foreign key points to.
    return Campaign._meta.get_field("channel").related_model


class CampaignForm(TextRulesFormMixin, forms.Form):
    name_fields = ("name",)

    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    timezone = forms.ChoiceField(choices=[(z, z) for z in ZONES], initial="America/New_York")
    help_text = forms.CharField(
        max_length=640, required=False, label="HELP reply", widget=forms.TextInput()
    )
    opt_out_text = forms.CharField(
        max_length=640, required=False, label="Opt-out confirmation", widget=forms.TextInput()
    )
    tags = forms.CharField(required=False, help_text="Comma separated")
    channel = forms.ModelChoiceField(
        queryset=_channel_model().objects.none(),
        required=False,
        label="Sends from",
        empty_label="The company's first number",
        help_text="Its messages leave from this number; new keywords answer on it.",
    )

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channels = _channel_model().objects.for_company(company).filter(active=True)
        cast(forms.ModelChoiceField, self.fields["channel"]).queryset = channels

    def cleaned_tags(self) -> list[str]:
        return _tags(self.cleaned_data.get("tags", ""))


class OptInPathForm(TextRulesFormMixin, forms.Form):
    name_fields = ("name",)

    name = forms.CharField(max_length=200, label="Opt-in path name")
    welcome_message = forms.CharField(max_length=640, required=False)


class KeywordForm(TextRulesFormMixin, forms.Form):
    name_fields = ("name",)

    name = forms.CharField(max_length=50, label="Keyword")
    opt_in_path = forms.ModelChoiceField(queryset=OptInPath.objects.none())

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["opt_in_path"]
        ).queryset = campaign.opt_in_paths.filter(active=True)


def query_params(text: str) -> dict[str, Any]:
    """A profiles-table URL or query string → the dict `profile_list` takes."""
    text = text.strip()
    query = urlsplit(text).query if ("?" in text or "://" in text) else text.lstrip("?")
    params: dict[str, Any] = {}
    for key, values in parse_qs(query).items():
        if key in ("page", "per_page"):
            continue
        values = [v for v in values if v.strip()]
        if values:
            params[key] = values if len(values) > 1 else values[0]
    return params


class GroupForm(TextRulesFormMixin, forms.Form):
    name_fields = ("name",)

    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(
        choices=Group.Kind.choices, initial=Group.Kind.UPLOADED, widget=forms.RadioSelect
    )
    query = forms.CharField(
        required=False,
        label="Profiles table search",
        help_text="Filtered groups: paste the address of a filtered profiles table.",
    )
    file = forms.FileField(required=False, label="CSV file of phone numbers")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == Group.Kind.FILTERED:
            data["filter_params"] = query_params(data.get("query") or "")
            if not data["filter_params"]:
                self.add_error("query", "Paste a search or filtered profiles table address.")
        return data


class GroupMembersForm(TextRulesFormMixin, forms.Form):
    numbers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "One number per line"}),
        required=False,
        label="Phone numbers",
    )
    file = forms.FileField(required=False, label="or a CSV file with a phone column")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        file = data.get("file")
        if file and file.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is too large.")
        if not file and not (data.get("numbers") or "").strip():
            raise forms.ValidationError("Enter numbers or choose a CSV file.")
        return data

    def numbers_list(self) -> list[str]:
        text = self.cleaned_data.get("numbers") or ""
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


class BroadcastForm(TextRulesFormMixin, forms.Form):
    name_fields = ("name",)

    name = forms.CharField(max_length=200, required=False)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "data-sms-counter": "#body-counter"})
    )
    include_subscribers = forms.BooleanField(
        required=False, initial=True, label="All subscribers of the campaign"
    )
    included_groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    excluded_groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    send = forms.ChoiceField(
        choices=[("draft", "Save as draft"), ("now", "Send now"), ("later", "Send at a time")],
        initial="draft",
        widget=forms.RadioSelect,
    )
    delivery_time = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    localtime = forms.BooleanField(
        required=False, label="Deliver at this time in each subscriber's own time zone"
    )
    throttle_per_minute = forms.IntegerField(
        required=False, min_value=1, label="Throttle (messages per minute)"
    )
    tags = forms.CharField(required=False, help_text="Comma separated")
    message_template = forms.ModelChoiceField(
        queryset=MessageTemplate.objects.none(),
        required=False,
        label="Start from a template",
        empty_label="No template",
    )
    shorten_links = forms.BooleanField(
        required=False,
        label="Track links: send each recipient their own short link",
    )

    def __init__(self, *args: Any, company: Company, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        cast(
            forms.ModelChoiceField, self.fields["message_template"]
        ).queryset = MessageTemplate.objects.for_company(company).filter(campaign=campaign)
        # The counter shows "N of 10 segments" and stops typing past the limit.
        self.max_segments = max_segments()
        self.fields["body"].widget.attrs["data-max-segments"] = str(self.max_segments)
        groups = Group.objects.for_company(company).order_by("name")
        cast(forms.ModelChoiceField, self.fields["included_groups"]).queryset = groups
        cast(forms.ModelChoiceField, self.fields["excluded_groups"]).queryset = groups

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        template = data.get("message_template")
        if template is not None and not (data.get("body") or "").strip():
            # A template chosen and the body left empty: the template's body is sent.
            self.errors.pop("body", None)
            data["body"] = template.body
        when = data.get("delivery_time")
        if data.get("send") == "later":
            if when is None:
                self.add_error("delivery_time", "Choose the date and time to send.")
            else:
                # The time is typed in the campaign's time zone (seed 004 delivery_time).
                zone = zoneinfo.ZoneInfo(self.campaign.timezone)
                data["delivery_time"] = when.replace(tzinfo=None).replace(tzinfo=zone)
        return data

    def cleaned_tags(self) -> list[str]:
        return _tags(self.cleaned_data.get("tags", ""))

    @classmethod
    def initial_for(cls, broadcast: Broadcast) -> dict[str, Any]:
        zone = zoneinfo.ZoneInfo(broadcast.campaign.timezone)
        when: dt.datetime | None = broadcast.delivery_time
        return {
            "name": broadcast.name,
            "body": broadcast.body,
            "include_subscribers": broadcast.include_subscribers,
            "included_groups": list(broadcast.included_groups.all()),
            "excluded_groups": list(broadcast.excluded_groups.all()),
            "send": "later" if broadcast.status == Broadcast.Status.SCHEDULED else "draft",
            "delivery_time": when.astimezone(zone).replace(tzinfo=None) if when else None,
            "localtime": broadcast.localtime,
            "throttle_per_minute": broadcast.throttle_per_minute,
            "tags": ", ".join(t.name for t in broadcast.tags.all()),
            "message_template": broadcast.message_template_id,
            "shorten_links": broadcast.shorten_links,
        }


class OptInPathSettingsForm(TextRulesFormMixin, forms.Form):
    name_fields = ("name",)

    name = forms.CharField(max_length=200, label="Opt-in path name")
    welcome_message = forms.CharField(
        max_length=640,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Sent first, when the number joins (after YES with double opt-in).",
    )
    double_opt_in = forms.BooleanField(
        required=False,
        label="Double opt-in: ask the number to confirm before subscribing it",
    )
    confirmation_text = forms.CharField(
        max_length=640,
        required=False,
        label="Confirmation request",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Say how to answer: the number confirms with Y or YES, declines with N or NO.",
    )
    confirmation_window_hours = forms.IntegerField(
        min_value=1,
        max_value=720,
        initial=24,
        label="Confirmation window (hours)",
        help_text="No answer in this time: no subscription.",
    )

    @classmethod
    def initial_for(cls, path: OptInPath) -> dict[str, Any]:
        return {
            "name": path.name,
            "welcome_message": path.welcome_message,
            "double_opt_in": path.double_opt_in,
            "confirmation_text": path.confirmation_text,
            "confirmation_window_hours": path.confirmation_window_hours,
        }


class CustomFieldChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CustomField) -> str:
        return f"{obj.name} ({obj.get_field_type_display()})"


class FlowStepForm(TextRulesFormMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=FlowStep.Kind.choices,
        initial=FlowStep.Kind.QUESTION,
        label="The step",
        widget=forms.Select(attrs={"data-step-kind": ""}),
    )
    body = forms.CharField(
        max_length=640, label="Text sent", widget=forms.Textarea(attrs={"rows": 2})
    )
    custom_field = CustomFieldChoiceField(
        queryset=CustomField.objects.none(),
        required=False,
        label="Save the answer in",
        empty_label="Choose a custom field",
        help_text="Questions: the answer must fit the field's type.",
    )
    attribute = forms.ChoiceField(
        choices=[("", "Choose an attribute"), *FlowStep.Attribute.choices],
        required=False,
        label="Save the answer as",
        help_text="Info requests: the profile attribute the answer fills.",
    )
    retry_text = forms.CharField(
        max_length=640,
        required=False,
        label="Retry text",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Sent when the answer does not fit; empty: the text is sent again.",
    )

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["custom_field"]
        ).queryset = CustomField.objects.for_company(company).order_by("name")

    @classmethod
    def initial_for(cls, step: FlowStep) -> dict[str, Any]:
        return {
            "kind": step.kind,
            "body": step.body,
            "custom_field": step.custom_field_id,
            "attribute": step.attribute,
            "retry_text": step.retry_text,
        }
