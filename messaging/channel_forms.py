"""Forms of Settings → Sending numbers. Credentials are write-only: their inputs are
password inputs that never render a value, and a blank one keeps the stored value."""

from __future__ import annotations

from typing import Any

from django import forms

from core.text_rules import TextRulesFormMixin

from .channels import MPS_MAX
from .credentials import CREDENTIAL_FIELDS
from .models import Channel

CREDENTIAL_PREFIX = "cred_"


class ChannelForm(TextRulesFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=Channel.Kind.choices, label="Kind")
    number = forms.CharField(
        max_length=40,
        label="Number",
        help_text="A short code's digits (22822), a phone number (+12025550100) or an RCS agent id",
    )
    mps = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MPS_MAX,
        label="Messages per second",
        help_text="Empty: the kind's default (short code 100, toll-free 25, 10DLC 1, RCS 10)",
    )

    def __init__(self, *args: Any, provider: str, saved: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.provider = provider
        for field in CREDENTIAL_FIELDS[provider]:
            help_text = field.help
            if saved:
                help_text = "Saved — enter a new value to replace it."
            self.fields[CREDENTIAL_PREFIX + field.name] = forms.CharField(
                label=field.label,
                required=field.required and not saved,
                max_length=500,
                strip=True,
                help_text=help_text,
                widget=forms.PasswordInput(
                    render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}
                ),
            )

    def credential_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(CREDENTIAL_PREFIX)]

    def plain_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(CREDENTIAL_PREFIX)]

    def credentials(self) -> dict[str, str]:
        return {
            name.removeprefix(CREDENTIAL_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(CREDENTIAL_PREFIX) and value
        }


class TestMessageForm(TextRulesFormMixin, forms.Form):
    phone = forms.CharField(max_length=40, label="Send to", help_text="Your own phone number")
    body = forms.CharField(
        max_length=160,
        label="Message",
        initial="Test message from Shortcode: this number is connected.",
    )
