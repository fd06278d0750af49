"""What the apps above profiles contribute to it, filled in their AppConfig.ready().

The profile page's tabs, the profile's XML, the scoped profiles tables, the activity
feed and the profile status rule show data that campaigns, messaging and links own.
The layer contract (pyproject.toml, [tool.importlinter]) lets those apps import
profiles, never the reverse, so profiles cannot ask them for it. Instead each app
registers its own part here when Django starts, and profiles only walks the entries.

Every entry has an `order`: pages and XML come out in that order whatever order the
apps are loaded in. Registering the same key again replaces the entry (a test that
re-runs an app's ready() must not duplicate a tab or an XML element).
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured


class Entry(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def order(self) -> int: ...


E = TypeVar("E", bound=Entry)
Own = TypeVar("Own", bound=Entry)


class Registry(Generic[E]):
    """Entries by key, iterated in (order, key) order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, E] = {}
        self._sorted: tuple[E, ...] = ()
        self.version = 0  # changes on every registration, for callers that cache

    def register(self, entry: E) -> E:
        self._entries[entry.key] = entry
        self._sorted = tuple(sorted(self._entries.values(), key=lambda e: (e.order, e.key)))
        self.version += 1
        return entry

    def get(self, key: str) -> E | None:
        return self._entries.get(key)

    def require(self, key: str) -> E:
        entry = self._entries.get(key)
        if entry is None:
            raise ImproperlyConfigured(f"nothing is registered as {self.name} {key!r}")
        return entry

    def __iter__(self) -> Iterator[E]:
        return iter(self._sorted)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)


def merged(own: Iterable[Own], registry: Registry[E]) -> list[Own | E]:
    """profiles' own entries and the registered ones, in one (order, key) sequence.

    The own entries may be of another type than the registered ones (the XML's own
    sections are not XmlParts): the result holds both.
    """
    return sorted([*own, *registry], key=lambda e: (e.order, e.key))


# --- The profile page --------------------------------------------------------------------

# fill(request, profile, ctx) adds what the tab's template reads to ctx.
TabFill = Callable[[Any, Any, dict[str, Any]], None]


@dataclass(frozen=True)
class ProfileTab:
    """One tab of the profile page: its `?tab=` key, its label and what fills it."""

    key: str
    label: str
    order: int
    fill: TabFill
    advocacy_only: bool = False  # shown only to companies with advocacy on


@dataclass(frozen=True)
class TabData:
    """More data for another app's tab (the Subscriptions tab's scheduled messages)."""

    key: str
    tab: str
    order: int
    fill: TabFill


profile_tabs: Registry[ProfileTab] = Registry("profile tab")
tab_data: Registry[TabData] = Registry("profile tab data")


# --- The activity feed -------------------------------------------------------------------


@dataclass(frozen=True)
class FeedSource:
    """Rows of the profile's activity feed from another app's table.

    `rows(profile, channel, origin, status, days)` is the source's rows matching the
    feed's filters, newest first, or None when the filters exclude the source; `item`
    turns one row into a `profiles.selectors_detail.FeedItem`.
    """

    key: str
    order: int
    rows: Callable[..., Any]
    item: Callable[[Any], Any]


feed_sources: Registry[FeedSource] = Registry("activity feed source")


# --- The profiles table's scopes ---------------------------------------------------------


@dataclass(frozen=True)
class ScopeKind:
    """A kind of object whose profiles the scoped profiles table shows.

    `load(company, object_id)` is the company's object (or the model's DoesNotExist);
    `members(scope)` and `active(scope)` are Exists conditions over Profile: belonging
    to the scope, and an active subscription in it (the Profile Status filter).
    """

    key: str
    order: int
    load: Callable[[Any, int], Any]
    members: Callable[[Any], Any]
    active: Callable[[Any], Any]


scope_kinds: Registry[ScopeKind] = Registry("profile scope")


# --- The profile's XML -------------------------------------------------------------------


@dataclass(frozen=True)
class XmlPart:
    """An element of `<profile>` that another app owns (`<subscriptions>`, `<clicks>`).

    `switch` names the ProfileParts flag that turns it on (the include_* parameters).
    `load(profile_ids)` reads the rows of a whole page at once, each a tuple whose first
    value is the profile id; `render(rows)` writes one profile's element as XML text
    ("" to leave it out). profiles' own elements have orders 100 (custom columns) and
    300 (integrations); the seed places `<subscriptions>` between them.
    """

    key: str
    order: int
    switch: str
    load: Callable[[list[int]], Iterable[tuple]]
    render: Callable[[list[tuple]], str]


xml_parts: Registry[XmlPart] = Registry("profile XML part")


@dataclass(frozen=True)
class SummaryPart:
    """An optional list inside Profile Summary's `<profile>`, asked for by `flag`.

    `add(element, profile)` appends the list to the profile's element.
    """

    key: str
    order: int
    flag: str
    add: Callable[[Any, Any], None]


summary_parts: Registry[SummaryPart] = Registry("profile summary part")


# --- Profile status and erasure -----------------------------------------------------------


@dataclass(frozen=True)
class StatusRule:
    """The subscription half of the profile status rule (profiles.status).

    `expressions()` gives (active, any_subscription, opted_out, latest_opt_out_source)
    as expressions over a Profile queryset.
    """

    key: str
    order: int
    expressions: Callable[[], tuple[Any, Any, Any, Any]]


status_rules: Registry[StatusRule] = Registry("status rule")
SUBSCRIPTION_STATUS = "subscriptions"


@dataclass(frozen=True)
class Eraser:
    """What erasing a profile (profile_erase) blanks in another app's rows."""

    key: str
    order: int
    erase: Callable[[Any], None]


erasers: Registry[Eraser] = Registry("profile eraser")
