"""`demo_seed`: the demo data set, from two empty companies to N profiles with history."""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Company
from campaigns.models import Broadcast
from core.errors import ErrorKind, ServiceError
from messaging.models import Message
from profiles.models import Profile

from .catalog import DEMO_COMPANY, SECOND_COMPANY, demo_catalog, demo_company, second_catalog
from .loader import Loader
from .parallel import default_workers, generate
from .reset import demo_reset

# Below this many profiles, dropping and rebuilding indexes costs more than it saves.
REBUILD_INDEXES_FROM = 50_000
CHUNK = 5_000


class DemoDataExists(ServiceError):
    """The demo company already has profiles and no reset was asked for."""

    kind = ErrorKind.CONFLICT


@dataclass
class SeedResult:
    skipped: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    company: Company | None = None


def second_company_size(profiles: int) -> int:
    """A few hundred profiles: enough to see that companies are kept apart."""
    return min(300, max(profiles // 10, 20))


def demo_profile_count() -> int:
    """Profiles of the main demo company (the second company's do not count)."""
    company = Company.objects.filter(name=DEMO_COMPANY).order_by("id").first()
    return Profile.objects.filter(company=company).count() if company else 0


def demo_seed(
    *,
    profiles: int,
    seed: int | None = 1,
    reset: bool = False,
    if_empty: bool = False,
    rebuild_indexes: bool | None = None,
    workers: int | None = None,
    loader: str = "auto",
    log: Callable[[str], None] = lambda line: None,
) -> SeedResult:
    """Create the demo companies and `profiles` profiles with their history.

    `if_empty` leaves existing demo data alone; otherwise existing demo profiles need
    `reset`, which replaces them. `rebuild_indexes` (default: for large loads) drops
    and rebuilds the loaded tables' indexes; `workers` (default: one per core for
    large loads) generates rows in that many processes; `loader="insert"` writes with
    batched INSERTs instead of COPY.
    """
    started = time.perf_counter()
    if rebuild_indexes is None:
        rebuild_indexes = profiles >= REBUILD_INDEXES_FROM
    if demo_profile_count() or Profile.objects.filter(company__name=SECOND_COMPANY).exists():
        if if_empty:
            return SeedResult(skipped=True)
        if not reset:
            raise DemoDataExists(
                "The demo companies already have profiles: pass --reset to replace them, "
                "or --if-empty to keep them."
            )
    if workers is None:
        workers = default_workers(profiles)
    writer = Loader(rebuild_indexes=rebuild_indexes, log=log, copy=loader != "insert")
    with transaction.atomic():
        main, second = demo_company(DEMO_COMPANY), demo_company(SECOND_COMPANY)
        how = demo_reset([main, second])
        log(f"previous demo data: {how}")
        now = timezone.now().replace(microsecond=0)
        catalogs = [
            (demo_catalog(main, now), profiles, workers),
            (second_catalog(second, now), second_company_size(profiles), 0),
        ]
        # COPY FREEZE writes rows already frozen, so the VACUUM afterwards has
        # nothing to do; PostgreSQL allows it only on tables emptied in this very
        # (sub)transaction, i.e. not inside a test's savepoint.
        writer.prepare(freeze=how == "truncated" and not connection.savepoint_ids)
        for catalog, count, processes in catalogs:
            done = 0
            writer.drain()  # the previous catalog's rows hold the ids first_ids reads
            chunks = generate(
                catalog,
                count=count,
                size=CHUNK,
                first_ids=writer.first_ids(),
                now=now,
                seed=seed,
                workers=processes,
                on_counts=lambda counts: _broadcast_counts(counts),
            )
            for chunk in chunks:
                writer.write(chunk)
                done += chunk["profile"][0]
                if done % 100_000 < CHUNK:
                    log(f"{done:,} profiles loaded ({time.perf_counter() - started:.0f} s)")
        writer.finish()
    log(f"loaded in {time.perf_counter() - started:.0f} s; analyzing")
    writer.analyze()
    return SeedResult(counts=writer.counts, seconds=time.perf_counter() - started, company=main)


def _broadcast_counts(counts_by_broadcast: dict[int, Counter]) -> None:
    """Add a shard's broadcast outcomes to the sent broadcasts' counters."""
    for broadcast_id, counts in counts_by_broadcast.items():
        Broadcast.objects.filter(pk=broadcast_id).update(
            estimated_recipients_count=F("estimated_recipients_count") + counts["recipients"],
            recipients_count=F("recipients_count") + counts["recipients"],
            sent_count=F("sent_count") + counts["sent"],
            failed_count=F("failed_count") + counts[Message.Status.FAILED],
            undeliverable_count=F("undeliverable_count") + counts[Message.Status.UNDELIVERABLE],
            replies_count=F("replies_count") + counts["replies"],
            opt_outs_count=F("opt_outs_count") + counts["opt_outs"],
        )
