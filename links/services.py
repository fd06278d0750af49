"""Writes of tracked links: shortening a body's URLs, recording and draining clicks.

A click is recorded without touching the database in the request: the redirect pushes
one JSON line to a Redis list (`CLICK_QUEUE`) and answers 302. `clicks_drain` moves the
list into `Click` rows a batch at a time: read the head (LRANGE), insert with ON
CONFLICT DO NOTHING on the click's own key, commit, then trim what it read (LTRIM).
One drain runs at a time (a cache lock), so a drain that dies before trimming leaves
its batch for the next one, which stores nothing twice: every click is stored once.
Without Redis (the quick start) the redirect stores the click itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Company
from core.locks import periodic
from core.safe_urls import UnsafeUrlError, external_url_clean
from profiles.models import Profile

from .models import Click, TrackedLink
from .tokens import Link, code_new, urls_in

logger = logging.getLogger(__name__)

CLICK_QUEUE = "links:clicks"
DRAIN_BATCH = 2000
_DRAIN_LOCK = "links:clicks:drain"

_client: tuple[str, redis.Redis] | None = None
# After a Redis error the redirect stops asking Redis for a few seconds: every click in
# that window is stored directly, instead of each one waiting out a connect timeout.
_REDIS_BACKOFF_SECONDS = 5.0
_redis_down_until = 0.0


def click_queue() -> redis.Redis | None:
    """The Redis client of the click queue (REDIS_URL), or None without Redis (or while
    backing off after an error: `click_queue_failed`)."""
    global _client
    url = settings.REDIS_URL
    if not url or time.monotonic() < _redis_down_until:
        return None
    if _client is None or _client[0] != url:
        # Short timeouts: a redirect waits at most ~half a second for an absent Redis.
        _client = (
            url,
            redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.25),
        )
    return _client[1]


def click_queue_failed() -> None:
    """Note a Redis error: `click_queue` answers None for the next few seconds."""
    global _redis_down_until
    _redis_down_until = time.monotonic() + _REDIS_BACKOFF_SECONDS


# ── links ───────────────────────────────────────────────────────────────────────────


def _link_create(*, company: Company, url: str, campaign, broadcast) -> TrackedLink:
    existing = TrackedLink.objects.for_company(company).filter(url=url, broadcast=broadcast)
    link = existing.first()
    if link is not None:
        return link
    for _ in range(5):
        try:
            with transaction.atomic():
                return TrackedLink.objects.create(
                    company=company,
                    url=url,
                    code=code_new(),
                    campaign=campaign,
                    broadcast=broadcast,
                )
        except IntegrityError:
            # A code collision (1 in 56 billion), or a concurrent send made the link.
            link = existing.first()
            if link is not None:
                return link
    raise RuntimeError("Could not create a tracked link code.")


def links_for_body(
    *, company: Company, body: str, campaign=None, broadcast=None
) -> dict[str, Link]:
    """A tracked link for every safe http(s) URL of the body (made once per URL: per
    broadcast, or one shared by the messages sent outside broadcasts)."""
    found: dict[str, Link] = {}
    max_length = TrackedLink._meta.get_field("url").max_length
    for url in urls_in(body):
        try:
            external_url_clean(url, max_length=max_length)
        except UnsafeUrlError:
            continue  # left as typed: only links the product would render get tracked
        link = _link_create(company=company, url=url, campaign=campaign, broadcast=broadcast)
        found[url] = Link(link_id=link.pk, code=link.code)
    return found


@dataclass(frozen=True)
class CachedLink:
    id: int
    company_id: int
    url: str


# A link never changes once made, so each process keeps the ones it has seen: the
# redirect then costs no lookup at all. Unknown codes are remembered in Redis for a
# minute (a link made since is found after that), so forged tokens cost no queries.
_SEEN: dict[str, CachedLink] = {}
_SEEN_MAX = 50_000
_UNKNOWN_SECONDS = 60


def link_for_code(code: str) -> CachedLink | None:
    """The link of a code: this process's memory, else the database (the redirect's only
    lookup). Django's cache is not used here: its Redis backend builds a client object
    per call, which cost more than the rest of the redirect."""
    link = _SEEN.get(code)
    if link is not None:
        return link
    client = click_queue()
    unknown_key = f"links:unknown:{code}"
    try:
        if client is not None and client.exists(unknown_key):
            return None
    except redis.RedisError:
        click_queue_failed()
        client = None
    row = TrackedLink.objects.filter(code=code).values_list("pk", "company_id", "url").first()
    if row is None:
        if client is not None:
            with contextlib.suppress(redis.RedisError):
                client.set(unknown_key, "1", ex=_UNKNOWN_SECONDS)
        return None
    if len(_SEEN) >= _SEEN_MAX:
        _SEEN.clear()
    link = _SEEN[code] = CachedLink(*row)
    return link


# ── clicks ──────────────────────────────────────────────────────────────────────────


def _printable(text: str) -> str:
    # Headers are the visitor's to write: no control characters into pages and XML.
    return "".join(ch for ch in text if ch >= " " and ch != "\x7f")


def click_record(
    *,
    link: CachedLink,
    profile_id: int | None,
    token: str,
    user_agent: str,
    remote_addr: str | None,
    referer: str,
) -> None:
    """Queue one click (or, without Redis, store it). Never raises into the redirect.

    Redis away: the click is stored directly (same click key, so if the push did reach
    Redis after all the drain skips it); database away too: dropped, logged with a count.
    """
    entry = {
        "k": uuid.uuid4().hex,
        "l": link.id,
        "c": link.company_id,
        "p": profile_id,
        "tok": token,
        "at": timezone.now().timestamp(),
        "ua": _printable(user_agent)[:500],
        "ip": remote_addr,
        "ref": _printable(referer)[:1000],
    }
    client = click_queue()
    if client is None:
        _click_store_direct(entry)
        return
    try:
        length = client.rpush(CLICK_QUEUE, json.dumps(entry))
    except redis.RedisError:
        click_queue_failed()
        logger.exception("click queue unavailable; storing clicks directly for a few seconds")
        _click_store_direct(entry)
        return
    if length == 1:
        # The first click into an empty queue starts a drain; later ones join it.
        from . import tasks  # tasks import this module

        try:
            tasks.clicks_drain.apply_async(countdown=1)
        except Exception:  # noqa: BLE001 (a broker hiccup must not fail the redirect; beat sweeps)
            logger.exception("could not queue the click drain")


_dropped = 0


def _click_store_direct(entry: dict[str, Any]) -> None:
    global _dropped
    try:
        clicks_store([entry])
    except Exception:  # noqa: BLE001 (the redirect still answers; the loss is counted)
        _dropped += 1
        logger.exception(
            "click dropped: neither the queue nor the database took it (%d so far)", _dropped
        )


def clicks_store(entries: Iterable[dict[str, Any]]) -> int:
    """Insert queued clicks; a click already stored (same key) is skipped. Returns the
    number written. Profiles of another company than the link's are dropped to none."""
    entries = list(entries)
    if not entries:
        return 0
    wanted = {(e["c"], e["p"]) for e in entries if e.get("p")}
    known = set()
    if wanted:
        known = set(
            Profile.objects.filter(pk__in=[p for _, p in wanted]).values_list("company_id", "pk")
        )
    # One INSERT … SELECT FROM unnest(arrays): a drain's batch costs one statement and
    # no model instances (through bulk_create the batch's Python cost was most of the
    # drain's CPU, taken from the same cores as the redirects).
    columns = {
        "company_id": ("bigint", [e["c"] for e in entries]),
        "link_id": ("bigint", [e["l"] for e in entries]),
        "profile_id": (
            "bigint",
            [e["p"] if (e["c"], e.get("p")) in known else None for e in entries],
        ),
        "click_key": ("uuid", [uuid.UUID(e["k"]) for e in entries]),
        "token": ("text", [e["tok"][:40] for e in entries]),
        "clicked_at": (
            "timestamptz",
            [dt.datetime.fromtimestamp(e["at"], tz=dt.UTC) for e in entries],
        ),
        "user_agent": ("text", [e.get("ua") or "" for e in entries]),
        "remote_addr": ("inet", [e.get("ip") or None for e in entries]),
        "referer": ("text", [e.get("ref") or "" for e in entries]),
    }
    names = ", ".join(columns)
    arrays = ", ".join(f"%s::{kind}[]" for kind, _ in columns.values())
    table = Click._meta.db_table
    # Fixed names only; every value is a parameter.
    sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) "  # noqa: S608  # fixed names only; values are parameters
    sql += "ON CONFLICT DO NOTHING RETURNING 1"
    with connection.cursor() as cursor:
        cursor.execute(sql, [values for _, values in columns.values()])
        return len(cursor.fetchall())


@periodic(lock=_DRAIN_LOCK, timeout=300, skipped={"stored": 0, "batches": 0, "locked": 1})
def _clicks_drain_locked(client, *, batch: int, max_batches: int) -> dict[str, int]:
    stored = batches = 0
    while batches < max_batches:
        raw = client.lrange(CLICK_QUEUE, 0, batch - 1)
        if not raw:
            break
        entries = []
        for line in raw:
            try:
                entries.append(json.loads(line))
            except (TypeError, ValueError):
                logger.error("dropping a malformed click entry: %r", line[:200])
        stored += clicks_store(entries)
        # Only after the rows committed: a crash before this re-reads the batch,
        # and the click keys keep it from being stored twice.
        client.ltrim(CLICK_QUEUE, len(raw), -1)
        batches += 1
        if len(raw) < batch:
            break
    return {"stored": stored, "batches": batches}


def clicks_drain(*, batch: int = DRAIN_BATCH, max_batches: int = 500) -> dict[str, int]:
    """Move queued clicks into Click rows (one drain at a time). A drain ends when it
    has caught up (a batch shorter than `batch`) or after `max_batches`; whatever is
    queued by then gets another drain a second later, so clicks gather into full
    batches instead of a drain chasing the redirect a few rows at a time."""
    client = click_queue()
    if client is None:
        return {"stored": 0, "batches": 0}
    result = _clicks_drain_locked(client, batch=batch, max_batches=max_batches)
    if result.get("locked"):
        return result
    if client.llen(CLICK_QUEUE):
        # Clicks are left (queued since the last read, or past max_batches): no RPUSH
        # into a non-empty list starts a drain, and one queued while the lock was held
        # found it taken, so this drain starts the next one.
        from . import tasks

        tasks.clicks_drain.apply_async(countdown=1)
    return result
