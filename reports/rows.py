"""The Exports table's rows, built in Python.

Rendered from a template, each of the page's 25 rows cost an {% include %} with a new
context and some forty variable lookups and filters: more than half of the Reports
page's time and many times its SQL. A row is the same markup built directly; the
status endpoint that the page polls serves the same function's row, so the two never
differ.
"""

from html import escape as _e  # what django.utils.html.escape does, without its wrapping

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from profiles.templatetags.display import stamp_text, when_text
from profiles.url_makers import url_maker

from .models import Export

# Status → the badge's class and words; anything else (pending) reads "Queued".
STATUS_BADGES = {
    "done": ("badge badge-green", "Done"),
    "failed": ("badge badge-red", "Failed"),
    "running": ("badge badge-blue", "Running"),
}
WHY_NO_LINK = "Only the person who requested an export, or an Admin, can download it."


def _count(number: int) -> str:
    """{{ number|intcomma }}: below a thousand there is nothing to group in any locale."""
    return str(number) if 0 <= number < 1000 else _e(str(intcomma(number)))


class ExportRows:
    """Rows of one request: the row URLs are reversed once, then only filled in."""

    def __init__(self) -> None:
        self.status_url = url_maker("reports:export_status")
        self.download_url = url_maker("reports:export_download")

    def row(self, export: Export, *, can_download: bool) -> SafeString:
        pk, status = export.pk, export.status
        polls = (
            f' hx-get="{_e(self.status_url(pk))}" hx-trigger="every 1s" hx-swap="outerHTML"'
            if status in ("pending", "running")
            else ""
        )
        name = _e(export.name)
        if can_download:
            name = f'<a class="export-download" href="{_e(self.download_url(pk))}">{name}</a>'
        why = (
            f' · <span class="export-why">{WHY_NO_LINK}</span>'
            if status == "done" and not can_download
            else ""
        )
        user = export.requested_by
        requester = (user.get_full_name() or user.username) if user is not None else ""
        created = export.created_at
        if created is not None:
            local = timezone.localtime(created)
            title, when = stamp_text(local), when_text(local)
        else:
            title = when = ""
        badge_class, badge_text = STATUS_BADGES.get(status, ("badge", "Queued"))
        error = (
            f'<div class="error">{_e(export.error)}</div>'
            if status == "failed" and export.error
            else ""
        )
        of_total = (
            f' <span class="muted small">of {_count(export.total_rows)}</span>'
            if status == "running" and export.total_rows
            else ""
        )
        progress = int(export.progress)
        return mark_safe(  # noqa: S308  (every value is escaped)
            f'<tr id="export-{pk}" class="export-row export-{_e(status)}" '
            f'data-status="{_e(status)}"{polls}>'
            f"<td>{name}"
            f'<div class="muted small">{_e(export.get_kind_display())}{why}</div></td>'
            f"<td>{_e(requester or '—')}</td>"
            f'<td title="{_e(title)}">{_e(when)}</td>'
            f'<td><span class="{badge_class}">{badge_text}</span>{error}</td>'
            '<td><div class="export-progress">'
            '<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" '
            f'aria-valuenow="{progress}" aria-label="Export progress">'
            f'<span data-progress="{progress}"></span></div>'
            f'<span class="muted small">{progress}%</span></div></td>'
            f"<td>{_count(export.row_count)}{of_total}</td>"
            "</tr>"
        )
