import unicodedata
from html import escape as _e  # what django.utils.html.escape does, without its wrapping

import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from accounts.tenancy import Perm, has_perm
from core.phones import phone_display
from messaging.labels import message_type_label
from messaging.models import Message, MOType
from profiles.templatetags.display import WHEN_FORMAT, when_text
from profiles.url_makers import url_maker

# A body longer than this shows its start and a "Read all" that opens the rest in place:
# one 20,000-character text must not make the table thousands of pixels tall.
BODY_PREVIEW_CHARS = 300

TYPE_BADGES: dict[str, str] = {  # by the message_type field's value
    MOType.OPT_OUT: "badge-red",
    MOType.UNKNOWN_OPT_OUT: "badge-red",
    MOType.DEACTIVATION: "badge-red",
    MOType.OPT_IN: "badge-green",
    MOType.REACTIVATION: "badge-green",
    MOType.HELP_REQUEST: "badge-amber",
    MOType.UNKNOWN_HELP_REQUEST: "badge-amber",
    MOType.DIRECT_RESPONSE: "badge-blue",
}


def _preview(text: str, length: int) -> str:
    """Truncator(text).chars(length): a text that short comes back whole (NFC-normalised,
    as Truncator gives it) without Truncator's walk over every character."""
    if len(text) <= length:
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(length)


class InboxTable(tables.Table):
    phone_number = tables.Column(verbose_name="Phone number", orderable=False)
    body = tables.Column(verbose_name="Message", orderable=False)
    campaign = tables.Column(verbose_name="Campaign", orderable=False, default="—")
    message_type = tables.Column(verbose_name="Type", orderable=False)
    received_at = tables.DateTimeColumn(
        verbose_name="Received", orderable=False, format=WHEN_FORMAT
    )
    menu = tables.Column(verbose_name="", orderable=False, empty_values=())

    class Meta:
        model = Message
        fields = ("phone_number", "body", "campaign", "message_type", "received_at", "menu")
        attrs = {"class": "table inbox-table stack-on-phone", "id": "inbox-table"}
        row_attrs = {"data-message-id": lambda record: record.pk}
        empty_text = "No incoming messages match."
        template_name = "inbox/_table.html"

    def rendered_rows(self) -> list[SafeString]:
        """The page's rows, each one `<tr>` built by the render methods below.

        django-tables2's generic path resolves accessors and inspects render signatures
        per cell, and the row menu as a TemplateColumn rendered a template with the
        full request context per row (every context processor, five reverse() calls):
        together ten times the page's SQL. Links are filled into URLs reversed once
        (profiles.url_makers); the menu is rendered here, for the request's role.
        """
        request = getattr(self, "request", None)
        role = getattr(request, "role", None)
        self._links = {
            "detail": url_maker("profiles:detail"),
            "chat": url_maker("inbox:chat", kwarg="profile_id"),
            "respond": url_maker("inbox:respond", kwarg="message_id"),
            "opt_out": url_maker("inbox:opt_out", kwarg="message_id"),
        }
        self._menu = {
            "chat": has_perm(role, Perm.CHAT),
            "opt_out_one": has_perm(role, Perm.OPT_OUT_ONE),
            "csrf": get_token(request) if request is not None else "",
            "next": request.get_full_path() if request is not None else "",
        }
        rows = []
        for index, row in enumerate(self.paginated_rows):
            record = row.record
            cells = (
                self.render_phone_number(record),
                self.render_body(record.body),
                record.campaign if record.campaign_id else "—",
                self.render_message_type(record.message_type),
                self.render_received_at(record.received_at),
                self.render_menu(record),
            )
            tds = "".join(f"<td>{conditional_escape(cell)}</td>" for cell in cells)
            parity = "odd" if index % 2 else "even"
            # Every cell is escaped: by its renderer (SafeString), or by conditional_escape.
            rows.append(mark_safe(f'<tr data-message-id="{record.pk}" class="{parity}">{tds}</tr>'))  # noqa: S308  # every cell is escaped (see above)
        return rows

    def _link(self, name: str, pk: int) -> str:
        links = getattr(self, "_links", None)
        if links is not None:
            return links[name](pk)
        kwarg = {"detail": "pk", "chat": "profile_id"}.get(name, "message_id")
        view = "profiles:detail" if name == "detail" else f"inbox:{name}"
        return reverse(view, kwargs={kwarg: pk})

    def render_phone_number(self, record: Message) -> str:
        readable = phone_display(record.phone_number)
        if record.profile is None:  # no query: a null profile_id is not looked up
            return readable
        name = record.profile.full_name
        href = _e(self._link("detail", record.profile.pk))
        return mark_safe(  # noqa: S308  (every value is escaped)
            f'<a href="{href}">{_e(readable)}</a>'
            + (f'<div class="muted small">{_e(name)}</div>' if name else "")
        )

    def render_received_at(self, value) -> str:
        if value is None:
            return "—"
        return when_text(timezone.localtime(value))

    def render_menu(self, record: Message) -> SafeString | str:
        """Start chat and Message this profile (Chat), Opt out (one campaign), else View."""
        menu = getattr(self, "_menu", None) or {}
        chat = menu.get("chat") and record.profile_id
        opt_out = menu.get("opt_out_one") and record.campaign_id
        if not (chat or opt_out):
            if not record.profile_id:
                return ""
            href = _e(self._link("detail", record.profile_id))
            return mark_safe(  # noqa: S308  (escaped)
                f'<a class="btn btn-sm row-view" href="{href}" '
                f'aria-label="View the profile of message {record.pk}">View</a>'
            )
        items = ""
        if chat:
            query = f"?campaign={record.campaign_id}" if record.campaign_id else ""
            chat_url = _e(self._link("chat", chat) + query)  # chat: the profile id
            items += (
                f'<a href="{chat_url}" hx-get="{chat_url}" hx-target="#drawer-slot" '
                'hx-push-url="true" class="menu-chat">Start chat</a>'
                f'<a href="#" hx-get="{_e(self._link("respond", record.pk))}" '
                'hx-target="#drawer-slot" class="menu-respond">Message this profile</a>'
            )
        if opt_out:
            campaign = record.campaign.name if record.campaign else ""
            confirm = _e(f"Opt {record.phone_number} out of {campaign}?")
            items += (
                f'<form method="post" action="{_e(self._link("opt_out", record.pk))}">'
                '<input type="hidden" name="csrfmiddlewaretoken" '
                f'value="{_e(menu.get("csrf", ""))}">'
                f'<input type="hidden" name="next" value="{_e(menu.get("next", ""))}">'
                f'<button type="submit" class="menu-danger" data-confirm="{confirm}">'
                "Opt out profile</button></form>"
            )
        return mark_safe(  # noqa: S308  (every value is escaped)
            '<details class="row-menu"><summary class="btn btn-sm" '
            f'aria-label="Menu for message {record.pk}">Menu ▾</summary>'
            f'<div class="menu-items">{items}</div></details>'
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
    open = tables.Column(verbose_name="", orderable=False, empty_values=())

    class Meta:
        attrs = {"class": "table inbox-table stack-on-phone", "id": "conversation-table"}
        row_attrs = {
            "data-conversation-id": lambda record: record.pk,
            "data-state": lambda record: record.state,
        }
        empty_text = "No conversations here."
        template_name = "inbox/_table.html"

    def rendered_rows(self) -> list[SafeString]:
        """The page's rows, each one `<tr>` built by the render methods below.

        As InboxTable's: the generic cell path and the Open button as a TemplateColumn
        (a template with the full request context per row) cost several times the
        list's SQL. Links are filled into URLs reversed once; Open (chat) or View
        follows the request's role.
        """
        request = getattr(self, "request", None)
        self._can_chat = has_perm(getattr(request, "role", None), Perm.CHAT)
        rows = []
        for index, row in enumerate(self.paginated_rows):
            record = row.record
            cells = (
                self.render_person(record),
                self.render_latest(record),
                record.campaign.name if record.campaign_id else "—",
                self.render_assignee(record.assignee) if record.assignee_id else "Unassigned",
                when_text(timezone.localtime(record.last_activity_at)),
                self.render_open(record),
            )
            tds = "".join(f"<td>{conditional_escape(cell)}</td>" for cell in cells)
            parity = "odd" if index % 2 else "even"
            rows.append(
                mark_safe(  # noqa: S308  # every cell is escaped (see InboxTable.rendered_rows)
                    f'<tr data-conversation-id="{record.pk}" data-state="{_e(record.state)}" '
                    f'class="{parity}">{tds}</tr>'
                )
            )
        return rows

    def _link(self, name: str, pk: int) -> str:
        links = getattr(self, "_links", None)
        if links is None:
            links = self._links = {
                "detail": url_maker("profiles:detail"),
                "chat": url_maker("inbox:chat", kwarg="profile_id"),
            }
        return links[name](pk)

    def render_person(self, record) -> SafeString:
        profile = record.profile
        name = profile.full_name
        phone = _e(phone_display(profile.phone_number))
        return mark_safe(  # noqa: S308  (every value is escaped)
            f'<a href="{_e(self._link("detail", profile.pk))}">{_e(name) if name else phone}</a>'
            + (f'<div class="muted small">{phone}</div>' if name else "")
        )

    def render_latest(self, record) -> SafeString:
        message = record.last_incoming
        body = _preview(message.body, 140) if message else ""
        unread = (
            f' <span class="badge badge-blue unread-badge">{int(record.unread)} unread</span>'
            if record.unread
            else ""
        )
        tags = "".join(
            f' <span class="badge conversation-tag">{_e(t.name)}</span>' for t in record.tags.all()
        )
        return mark_safe(f'<span class="inbox-body">{_e(body)}</span>{unread}{tags}')  # noqa: S308  (escaped)

    def render_assignee(self, value) -> str:
        return value.get_full_name() or value.get_username()

    def render_open(self, record) -> SafeString:
        """Open the chat (Chat permission), else View the profile."""
        profile = record.profile
        who = _e(profile.full_name or profile.phone_number)
        if not getattr(self, "_can_chat", False):
            href = _e(self._link("detail", record.profile_id))
            return mark_safe(  # noqa: S308  (escaped)
                f'<a class="btn btn-sm row-view" href="{href}" '
                f'aria-label="View the profile of {who}">View</a>'
            )
        query = f"?campaign={record.campaign_id}" if record.campaign_id else ""
        url = _e(self._link("chat", record.profile_id) + query)
        return mark_safe(  # noqa: S308  (escaped)
            f'<a class="btn btn-sm conversation-open" href="{url}" hx-get="{url}" '
            f'hx-target="#drawer-slot" hx-push-url="true" id="open-{record.pk}" '
            f'aria-label="Open the conversation with {who}">Open</a>'
        )
