"""One profile's messages as CSV (seed 000, profile page, Messages tab: "Save as CSV").

An export like any other: it needs the export permission, runs in a worker, streams
with COPY and lands in the private storage, downloaded from the Reports page. The
columns are those the profile page's CSV always had; the rows are the tab's (its
search included), newest first.
"""

from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Concat

from messaging.models import Message
from messaging.selectors_profile import profile_messages
from profiles.models import Profile

from ..models import Export
from .base import ExportType, register_export_type
from .sql import CsvSafe, UtcText


def _label(field: str, choices: list[tuple[str, str]]) -> Case:
    """A choice field's label, as the page shows it (the stored value if unknown)."""
    whens = [When(**{field: value}, then=Value(label)) for value, label in choices]
    return Case(*whens, default=F(field))


def _media_base_url() -> str:
    # The default storage is FileSystemStorage (STORAGES["default"]); the address it
    # gives "" is its base_url, which the generic Storage type does not declare.
    return default_storage.url("")


def _media() -> Case:
    # An attachment's address as the Messages tab links it; else the media URL given.
    return Case(
        When(
            Q(attachment__isnull=False) & ~Q(attachment__file=""),
            then=Concat(Value(_media_base_url()), F("attachment__file"), output_field=CharField()),
        ),
        default=F("media_url"),
        output_field=CharField(),
    )


def _kind() -> Case:
    # The last Status label of the tab (messaging.selectors_profile.message_status_labels).
    return Case(
        When(
            Q(channel=Message.Channel.MMS) | Q(attachment__isnull=False) | ~Q(media_url=""),
            then=Value("MMS"),
        ),
        When(channel=Message.Channel.RCS, then=Value("RCS")),
        When(Q(multipart=True) | Q(segments__gt=1), then=Value("Multi-part SMS")),
        default=Value("Single-part SMS"),
    )


COLUMNS: list[tuple[str, Any]] = [
    ("date", UtcText(F("created_at"))),
    ("direction", _label("direction", Message.Direction.choices)),
    ("type", CsvSafe(F("message_type"))),
    ("channel", _label("channel", Message.Channel.choices)),
    ("body", CsvSafe(F("body"))),
    ("media", CsvSafe(_media())),
    ("campaign", CsvSafe(F("campaign__name"))),
    ("broadcast", CsvSafe(F("broadcast__name"))),
    ("originator", CsvSafe(F("originator"))),
    ("status", CsvSafe(F("status"))),
    ("kind", _kind()),
]
HEADERS: list[str] = [header for header, _ in COLUMNS]


def messages_export_config(*, profile: Profile, search: str = "") -> dict[str, Any]:
    return {"profile_id": profile.pk, "search": search.strip()}


def messages_export_name(*, profile: Profile, search: str = "") -> str:
    who = profile.full_name or f"profile {profile.pk}"
    name = f"Messages · {who}"
    if search.strip():
        name += f" · search “{search.strip()}”"
    return name


@register_export_type
class MessagesExport(ExportType):
    kind = Export.Kind.MESSAGES

    def _messages(self, export: Export) -> QuerySet:
        # The profile is looked up inside the export's company: a config naming another
        # company's profile finds nothing and the export fails, writing no one's texts.
        profile = Profile.objects.for_company(export.company).get(pk=export.config["profile_id"])
        return profile_messages(profile=profile, search=export.config.get("search", ""))

    def header(self, export: Export) -> list[str]:
        return list(HEADERS)

    def count(self, export: Export) -> int:
        return self._messages(export).order_by().count()

    def rows(self, export: Export) -> QuerySet:
        cells = {f"cell_{i}": expr for i, (_, expr) in enumerate(COLUMNS)}
        return self._messages(export).annotate(**cells).values_list(*cells)

    def filename(self, export: Export) -> str:
        stamp = export.created_at.strftime("%Y%m%d-%H%M%S")
        return f"profile-{export.config['profile_id']}-messages-{stamp}-{export.pk}.csv"
