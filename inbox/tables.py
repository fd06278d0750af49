import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from messaging.labels import message_type_label
from messaging.models import Message, MOType
from profiles.phones import phone_display
from profiles.templatetags.display import WHEN_FORMAT

# A body longer than this shows its start and a "Read all" that opens the rest in place:
# one 20,000-character text must not make the table thousands of pixels tall.
BODY_PREVIEW_CHARS = 300

TYPE_BADGES = {
    MOType.OPT_OUT: "badge-red",
    MOType.UNKNOWN_OPT_OUT: "badge-red",
    MOType.DEACTIVATION: "badge-red",
    MOType.OPT_IN: "badge-green",
    MOType.REACTIVATION: "badge-green",
    MOType.HELP_REQUEST: "badge-amber",
    MOType.UNKNOWN_HELP_REQUEST: "badge-amber",
    MOType.DIRECT_RESPONSE: "badge-blue",
}


class InboxTable(tables.Table):
    phone_number = tables.Column(verbose_name="Phone number", orderable=False)
    body = tables.Column(verbose_name="Message", orderable=False)
    campaign = tables.Column(verbose_name="Campaign", orderable=False, default="—")
    message_type = tables.Column(verbose_name="Type", orderable=False)
    received_at = tables.DateTimeColumn(
        verbose_name="Received", orderable=False, format=WHEN_FORMAT
    )
    menu = tables.TemplateColumn(
        template_name="inbox/_row_menu.html", verbose_name="", orderable=False
    )

    class Meta:
        model = Message
        fields = ("phone_number", "body", "campaign", "message_type", "received_at", "menu")
        attrs = {"class": "table inbox-table stack-on-phone", "id": "inbox-table"}
        row_attrs = {"data-message-id": lambda record: record.pk}
        empty_text = "No incoming messages match."

    def render_phone_number(self, record: Message) -> str:
        readable = phone_display(record.phone_number)
        if record.profile_id is None:
            return readable
        name = record.profile.full_name
        return format_html(
            '<a href="{}">{}</a>{}',
            reverse("profiles:detail", args=[record.profile_id]),
            readable,
            format_html('<div class="muted small">{}</div>', name) if name else "",
        )

    def render_body(self, value: str) -> str:
        if len(value) <= BODY_PREVIEW_CHARS:
            return format_html('<span class="inbox-body">{}</span>', value)
        return format_html(
            '<details class="inbox-body-more"><summary>'
            '<span class="inbox-body inbox-body-preview">{}</span> '
            '<span class="read-all">Read all ({} characters)</span></summary>'
            '<div class="inbox-body inbox-body-full">{}</div></details>',
            Truncator(value).chars(BODY_PREVIEW_CHARS),
            f"{len(value):,}",
            value,
        )

    def render_message_type(self, value: str) -> str:
        badge = TYPE_BADGES.get(value, "")
        return format_html(
            '<span class="badge {}">{}</span>', badge, message_type_label(value, "mo")
        )


class ConversationTable(tables.Table):
    """One tab of the conversation list."""

    person = tables.Column(verbose_name="Person", accessor="profile", orderable=False)
    latest = tables.Column(verbose_name="Latest text", accessor="last_incoming", orderable=False)
    campaign = tables.Column(verbose_name="Campaign", orderable=False, default="—")
    assignee = tables.Column(verbose_name="Handled by", orderable=False, default="Unassigned")
    last_activity_at = tables.DateTimeColumn(
        verbose_name="Last activity", orderable=False, format=WHEN_FORMAT
    )
    open = tables.TemplateColumn(
        template_name="inbox/_conversation_open.html", verbose_name="", orderable=False
    )

    class Meta:
        attrs = {"class": "table inbox-table stack-on-phone", "id": "conversation-table"}
        row_attrs = {
            "data-conversation-id": lambda record: record.pk,
            "data-state": lambda record: record.state,
        }
        empty_text = "No conversations here."

    def render_person(self, record) -> str:
        profile = record.profile
        name = profile.full_name
        return format_html(
            '<a href="{}">{}</a>{}',
            reverse("profiles:detail", args=[profile.pk]),
            name or phone_display(profile.phone_number),
            format_html('<div class="muted small">{}</div>', phone_display(profile.phone_number))
            if name
            else "",
        )

    def render_latest(self, record) -> str:
        message = record.last_incoming
        body = Truncator(message.body).chars(140) if message else ""
        unread = (
            format_html(
                ' <span class="badge badge-blue unread-badge">{} unread</span>', record.unread
            )
            if record.unread
            else ""
        )
        tags = format_html_join(
            "",
            ' <span class="badge conversation-tag">{}</span>',
            ((t.name,) for t in record.tags.all()),
        )
        return format_html('<span class="inbox-body">{}</span>{}{}', body, unread, tags)

    def render_assignee(self, value) -> str:
        return value.get_full_name() or value.get_username()
