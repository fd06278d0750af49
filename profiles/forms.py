"""Forms of the profile page and of the custom fields settings page."""

import re
import zoneinfo
from typing import Any

from django import forms

from core.safe_urls import UnsafeUrlError, external_url_clean
from core.text_rules import TextRulesFormMixin

from .custom_fields import CustomFieldError, gender_code
from .models import CustomFieldType, Gender, Note, Profile
from .services import PROFILE_EDITABLE_FIELDS, PROFILE_NAME_FIELDS

# ISO 639-1 two-letter codes: the language a subscriber reads (seed 002).
_ISO_639_1_CODES = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu "
    "cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi "
    "ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks "
    "ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl "
    "nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl "
    "sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve "
    "vi vo wa wo xh yi yo za zh zu"
)
ISO_639_1 = frozenset(_ISO_639_1_CODES.split())


class ProfileEditForm(TextRulesFormMixin, forms.ModelForm):
    name_fields = PROFILE_NAME_FIELDS

    gender = forms.CharField(
        required=False,
        help_text="ISO/IEC 5218: 0 not known, 1 male, 2 female, 9 not applicable",
        widget=forms.Select(choices=[("", "—"), *Gender.choices]),
    )
    # Wider than the two-letter column so that a typed "spanish" gets the clear message below.
    language = forms.CharField(
        required=False, max_length=20, help_text="ISO 639-1 code, e.g. en, es"
    )
    birthday = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="YYYY-MM-DD"
    )
    # A CharField, so that the one rule for outside links (core/safe_urls.py) gives
    # the error ("must start with http:// or https://") rather than a generic one.
    avatar_url = forms.CharField(required=False, label="Avatar link")

    class Meta:
        model = Profile
        fields = list(PROFILE_EDITABLE_FIELDS)
        labels = {
            "street1": "Street",
            "street2": "Street (line 2)",
            "postal_code": "ZIP code",
            "constituent_id": "External ID",
            "avatar_url": "Avatar link",
        }
        help_texts = {
            "timezone": "IANA time zone, e.g. America/New_York",
            "country": "ISO 3166 two-letter code",
        }

    def clean_gender(self) -> str:
        raw = self.cleaned_data.get("gender") or ""
        if not raw:
            return ""
        try:
            return gender_code(raw)
        except CustomFieldError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_avatar_url(self) -> str:
        value = self.cleaned_data.get("avatar_url") or ""
        if value and ":" not in value.split("/", 1)[0]:
            value = f"https://{value}"  # "example.com/me.png" means the web address
        try:
            return external_url_clean(
                value, max_length=Profile._meta.get_field("avatar_url").max_length
            )
        except UnsafeUrlError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_language(self) -> str:
        code = (self.cleaned_data.get("language") or "").strip().lower()
        if code and code not in ISO_639_1:
            raise forms.ValidationError(
                f"“{code}” is not an ISO 639-1 language code. Use two letters, e.g. en or es."
            )
        return code

    def clean_timezone(self) -> str:
        name = (self.cleaned_data.get("timezone") or "").strip()
        if name and name not in zoneinfo.available_timezones():
            raise forms.ValidationError(
                f"“{name}” is not a time zone. Use a name like America/Chicago."
            )
        return name

    def clean_country(self) -> str:
        code = (self.cleaned_data.get("country") or "").strip().upper()
        if code and not re.fullmatch(r"[A-Z]{2}", code):
            raise forms.ValidationError("Use a two-letter country code, e.g. US.")
        return code

    def changed_data_dict(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class NoteForm(TextRulesFormMixin, forms.Form):
    # No max_length here: the service refuses long notes with the product's own message.
    body = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": Note.MAX_LENGTH * 2}),
    )


class CustomFieldForm(TextRulesFormMixin, forms.Form):
    name_fields = ("name",)

    name = forms.CharField(max_length=100)
    field_type = forms.ChoiceField(label="Type", choices=CustomFieldType.choices)
