"""The profiles table's columns (seed 001: "About the Profiles table")."""

from collections.abc import Callable
from typing import Any

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .models import Profile, ProfileStatus
from .phones import phone_display
from .url_makers import url_maker

STATUS_BADGES = {
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
        sequence = (
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
        and a row reaches the template as one string rather than one per cell.
        """
        self._profile_link = url_maker("profiles:detail", fallback="/profiles/{}/")
        self._chat_link = url_maker("inbox:chat", kwarg="profile_id", fallback="/inbox/chat/{}/")
        renderers = [getattr(self, f"render_{column.name}") for column in self.columns]
        return [
            mark_safe(  # noqa: S308  (every cell is escaped by its render method)
                "<tr>" + "".join(f"<td>{render(record)}</td>" for render in renderers) + "</tr>"
            )
            for record in self.data.data
        ]

    def _link(self, attribute: str, fallback: Callable[[Profile], str], record: Profile) -> str:
        link = getattr(self, attribute, None)
        return link(record.pk) if link is not None else fallback(record)

    def render_user(self, record: Profile) -> SafeString:
        lines = []
        if record.full_name:
            lines.append(format_html('<div class="profile-name">{}</div>', record.full_name))
        if record.email:
            lines.append(format_html('<div class="muted">{}</div>', record.email))
        return format_html(
            '<a class="profile-phone" href="{}">{}</a>{}',
            self._link("_profile_link", profile_url, record),
            phone_display(record.phone_number),
            mark_safe("".join(lines)),  # noqa: S308  (each line was escaped by format_html)
        )

    def render_subscription_status(self, record: Profile) -> SafeString:
        standing = record.standing
        badge = format_html(
            '<span class="badge {}">{}</span>',
            STATUS_BADGES.get(standing.status, ""),
            standing.status,
        )
        if standing.status_description:
            return format_html(
                '{}<div class="muted small">{}</div>', badge, standing.status_description
            )
        return badge

    def render_address(self, record: Profile) -> SafeString:
        region = " ".join(p for p in (record.state, record.postal_code) if p)
        city_line = ", ".join(p for p in (record.city, region) if p)
        parts = [p for p in (record.street1, record.street2, city_line) if p]
        return format_html_join(mark_safe("<br>"), "{}", ((p,) for p in parts))

    def render_source_type(self, record: Profile) -> str:
        return record.source_type  # the seed's own wording ("Used mData"), not a label

    def render_created_at(self, record: Profile) -> str:
        return _when(record.created_at)

    def render_crm(self, record: Profile) -> SafeString | str:
        if record.crm_sync is None:
            return ""
        synced = record.crm_synced_at or record.crm_sync.last_synced_at
        return format_html(
            '{}<div class="muted small">{}</div>',
            record.crm_sync.name,
            f"Last sync {_when(synced)}" if synced else "Not synced yet",
        )

    def render_actions(self, record: Profile) -> SafeString:
        return format_html(
            '<a class="btn btn-sm" href="{}">CHAT</a>', self._link("_chat_link", chat_url, record)
        )


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
