"""The profiles table's columns (seed 001: "About the Profiles table")."""

from collections.abc import Callable
from html import escape as _e  # what django.utils.html.escape does, without its wrapping
from typing import Any

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from core.phones import phone_display

from .models import Profile, ProfileStatus
from .url_makers import url_maker

STATUS_BADGES: dict[str, str] = {  # by the status value
    ProfileStatus.ACTIVE: "badge-green",
    ProfileStatus.FORMER: "",
    ProfileStatus.NONE: "",
    ProfileStatus.OPTED_OUT: "badge-amber",
    ProfileStatus.UNDELIVERABLE: "badge-red",
    ProfileStatus.SYNCED: "badge-blue",
    ProfileStatus.INVALID: "badge-red",
}


def _url(name: str, fallback: str, **kwargs: Any) -> str:
    # The profile page and the chat have their own URL names; a path keeps the table
    # working where an installation routes them differently.
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return fallback


def profile_url(profile: Profile) -> str:
    return _url("profiles:detail", f"/profiles/{profile.pk}/", pk=profile.pk)


def chat_url(profile: Profile) -> str:
    return _url("inbox:chat", f"/inbox/chat/{profile.pk}/", profile_id=profile.pk)


def _when(value: Any) -> str:
    return date_format(value, "M j, Y") if value else ""


class ProfileTable(tables.Table):
    user = tables.Column(empty_values=(), verbose_name="User", orderable=False)
    subscription_status = tables.Column(
        empty_values=(), verbose_name="Subscription status", orderable=False
    )
    address = tables.Column(empty_values=(), verbose_name="Address", orderable=False)
    source_type = tables.Column(verbose_name="First seen type", orderable=False)
    created_at = tables.Column(
        verbose_name="First seen date", order_by=("created_at", "id"), orderable=True
    )
    crm = tables.Column(empty_values=(), verbose_name="CRM match", orderable=False)
    actions = tables.Column(empty_values=(), verbose_name="Actions", orderable=False)

    class Meta:
        model = Profile
        fields: tuple[str, ...] = ()
        sequence: tuple[str, ...] = (
            "user",
            "subscription_status",
            "address",
            "source_type",
            "created_at",
            "crm",
            "actions",
        )
        attrs = {"class": "table profiles-table", "id": "profiles-table"}
        empty_text = "No profiles match."
        order_by_field = "sort"
        page_field = "page"
        per_page_field = "per_page"

    def __init__(self, *args: Any, can_chat: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.can_chat = can_chat
        if not can_chat:
            self.columns.hide("actions")

    def rendered_rows(self) -> list[SafeString]:
        """Each row as one `<tr>`, its cells rendered by this table's render_<column> methods.

        django-tables2's generic cell path inspects every render method's signature
        and resolves accessors per cell; every column here has a render method taking
        the record, so calling them directly renders a page several times faster. The
        row's links are filled into URLs reversed once per table (profiles.url_makers),
        the cells are built from escaped text rather than format_html (a dozen calls
        per cell), and a row reaches the template as one string rather than one per cell.
        """
        self._profile_link = url_maker("profiles:detail", fallback="/profiles/{}/")
        self._chat_link = url_maker("inbox:chat", kwarg="profile_id", fallback="/inbox/chat/{}/")
        self._dates: dict[tuple[int, int, int], str] = {}
        renderers = [getattr(self, f"render_{column.name}") for column in self.columns]
        return [
            mark_safe(  # noqa: S308  (every cell is escaped: by its render method, or here)
                "<tr>"
                + "".join(f"<td>{conditional_escape(render(record))}</td>" for render in renderers)
                + "</tr>"
            )
            for record in self.data.data
        ]

    def _link(self, attribute: str, fallback: Callable[[Profile], str], record: Profile) -> str:
        link = getattr(self, attribute, None)
        return link(record.pk) if link is not None else fallback(record)

    def _when(self, value: Any) -> str:
        # A page's rows share a few days; "M j, Y" reads only the date's own fields.
        dates = getattr(self, "_dates", None)
        if dates is None or not value:
            return _when(value)
        key = (value.year, value.month, value.day)
        if key not in dates:
            dates[key] = _when(value)
        return dates[key]

    def render_user(self, record: Profile) -> SafeString:
        name, email = record.full_name, record.email
        href = _e(self._link("_profile_link", profile_url, record))
        return mark_safe(  # noqa: S308  (every value is escaped)
            f'<a class="profile-phone" href="{href}">'
            f"{_e(phone_display(record.phone_number))}</a>"
            + (f'<div class="profile-name">{_e(name)}</div>' if name else "")
            + (f'<div class="muted">{_e(email)}</div>' if email else "")
        )

    def render_subscription_status(self, record: Profile) -> SafeString:
        standing = record.standing
        badge = (
            f'<span class="badge {_e(STATUS_BADGES.get(standing.status, ""))}">'
            f"{_e(standing.status)}</span>"
        )
        if standing.status_description:
            badge += f'<div class="muted small">{_e(standing.status_description)}</div>'
        return mark_safe(badge)  # noqa: S308  (every value is escaped)

    def render_address(self, record: Profile) -> SafeString:
        region = " ".join(p for p in (record.state, record.postal_code) if p)
        city_line = ", ".join(p for p in (record.city, region) if p)
        parts = [p for p in (record.street1, record.street2, city_line) if p]
        return mark_safe("<br>".join(_e(p) for p in parts))  # noqa: S308  (escaped)

    def render_source_type(self, record: Profile) -> str:
        return record.source_type  # the seed's own wording ("Used mData"), not a label

    def render_created_at(self, record: Profile) -> str:
        return self._when(record.created_at)

    def render_crm(self, record: Profile) -> SafeString | str:
        if record.crm_sync is None:
            return ""
        synced = record.crm_synced_at or record.crm_sync.last_synced_at
        return format_html(
            '{}<div class="muted small">{}</div>',
            record.crm_sync.name,
            f"Last sync {self._when(synced)}" if synced else "Not synced yet",
        )

    def render_actions(self, record: Profile) -> SafeString:
        href = _e(self._link("_chat_link", chat_url, record))
        return mark_safe(f'<a class="btn btn-sm" href="{href}">CHAT</a>')  # noqa: S308  # href is escaped above


class ScopedProfileTable(ProfileTable):
    """A campaign's, broadcast's or opt-in path's profiles: adds the Cleaned status column."""

    cleaned = tables.Column(empty_values=(), verbose_name="Cleaned status", orderable=False)

    class Meta(ProfileTable.Meta):
        sequence = (
            "user",
            "subscription_status",
            "cleaned",
            "address",
            "source_type",
            "created_at",
            "crm",
            "actions",
        )

    def render_cleaned(self, record: Profile) -> SafeString | str:
        if record.cleaned_at is None:
            return ""
        return format_html(
            '<span class="badge badge-amber" title="{}">Cleaned</span>',
            record.cleaned_reason or "Cleaned",
        )
