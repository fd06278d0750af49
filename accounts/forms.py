"""Forms of the company settings pages: users and roles, the time zone, the sending window."""

import zoneinfo

from django import forms

from core.text_rules import TextRulesFormMixin

from .models import Role


class MembershipInviteForm(TextRulesFormMixin, forms.Form):
    name_fields = ("first_name", "last_name")

    username = forms.CharField(max_length=150, help_text="An existing user, or a new login")
    email = forms.EmailField(required=False, help_text="Required for a new user")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.STAFF)
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput,
        min_length=10,
        help_text="Leave blank to generate one and show it once",
    )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class SendingWindowForm(forms.Form):
    start = forms.TimeField(
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Earliest local time a broadcast reaches a recipient",
    )
    end = forms.TimeField(
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Broadcasts stop at this local time; the rest wait for the next day",
    )


def _zone_choices() -> list[tuple[str, str]]:
    zones = sorted(
        z
        for z in zoneinfo.available_timezones()
        if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    )
    return [(z, z.replace("_", " ")) for z in [*zones, "UTC"]]


class CompanySettingsForm(forms.Form):
    time_zone = forms.ChoiceField(
        choices=_zone_choices,
        label="Time zone",
        help_text="Pages, lists and exports pages show every time in this zone, named.",
    )
