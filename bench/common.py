"""What every benchmark shares: a PostgreSQL database of N profiles, timing, reporting.

Benchmarks run against their own database (default shortcode_bench) so they never
touch the quick-start data. Figures are medians over several runs, printed beside a
baseline measured in the same run, because this 2-core machine's noise makes absolute
numbers from different runs incomparable.
"""

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shortcode_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"  # the broadcast bench runs real workers


def setup_django() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory
    import django

    django.setup()
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://…")


def profiles_wanted() -> int:
    return int(os.environ.get("BENCH_PROFILES", "1000000"))


def ensure_database(profiles: int) -> None:
    """Create the bench database if needed, migrate it, and seed it to `profiles` rows."""
    import psycopg
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    admin_dsn = f"host={host} port={port} user={db['USER']} dbname=postgres"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0)
    from demo.seed import demo_profile_count

    # The demo's small second company does not count toward N.
    have = demo_profile_count()
    if have < profiles:
        print(f"seeding {profiles:,} profiles (have {have:,}) …", flush=True)
        started = time.perf_counter()
        call_command("seed_demo", profiles=profiles, reset=True, verbosity=0)
        print(
            f"seed_demo --profiles {profiles:,}: {time.perf_counter() - started:.1f} s", flush=True
        )


def messages_wanted(profiles: int) -> int:
    """BENCH_MESSAGES, by default ten per profile (10 million at a million profiles)."""
    return int(os.environ.get("BENCH_MESSAGES", str(profiles * 10)))


# Copies of the seeded history carry this gateway name, so a later run knows which rows
# are originals (what it copies) and which it made itself (what it counts).
COPY_GATEWAY = "bench-copy"
COPY_SHIFT_DAYS = 397


def ensure_messages(company, total: int) -> None:
    """Bring the company's messages up to `total` by copying its seeded history.

    The demo seed writes about four messages a profile. The rest are its own messages
    again, each round shifted COPY_SHIFT_DAYS further into the past (so the newest
    pages are still the seeded ones, and the mix of types, directions and bodies stays
    the seed's): one INSERT … SELECT per round over generate_series, inside one
    transaction that drops the secondary indexes first and rebuilds them once at the
    end (a sorted build is many times faster than millions of index inserts). Copies
    are kept across runs; only the shortfall is written.
    """
    from django.db import connection, transaction

    from messaging.models import Message

    have = Message.objects.filter(company=company).count()
    if have >= total:
        return
    started = time.perf_counter()
    print(f"adding {total - have:,} messages (have {have:,}) …", flush=True)
    columns = [
        f.column
        for f in Message._meta.concrete_fields
        if f.column is not None
        and f.column not in ("id", "gateway", "gateway_message_id", "broadcast_id")
    ]
    shifted = {"created_at", "sent_at", "received_at", "scheduled_at", "delivered_at"}
    select = ", ".join(
        f"m.{c} - make_interval(days => r.round * {COPY_SHIFT_DAYS})" if c in shifted else f"m.{c}"
        for c in columns
    )
    table = Message._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        # Foreign keys are checked row by row as the rows go in, not queued to the
        # commit (millions of queued checks, and CREATE INDEX refuses to run past them).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        originals = Message.objects.filter(company=company).exclude(gateway=COPY_GATEWAY)
        seeded = originals.count()
        copies = have - seeded
        while have < total:
            # Round r copies the seeded rows for the r-th time, each round at most once.
            done_rounds, partial = divmod(copies, seeded)
            count = min(total - have, seeded - partial)
            cursor.execute(
                f"""
                INSERT INTO {table} ({", ".join(columns)}, gateway, gateway_message_id)
                SELECT {select}, %s, ''
                FROM generate_series(%s, %s) AS r(round)
                CROSS JOIN LATERAL (
                    SELECT * FROM {table}
                    WHERE company_id = %s AND gateway <> %s
                    ORDER BY id OFFSET %s LIMIT %s
                ) AS m
                """,  # noqa: S608 (the model's own table and columns)
                [
                    COPY_GATEWAY,
                    done_rounds + 1,
                    done_rounds + 1,
                    company.pk,
                    COPY_GATEWAY,
                    partial,
                    count,
                ],
            )
            have += count
            copies += count
            print(f"  {have:,} messages ({time.perf_counter() - started:.0f} s)", flush=True)
        for _, definition in indexes:
            cursor.execute(definition)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(f"messages: {total:,} in {time.perf_counter() - started:.0f} s", flush=True)


def median_ms(fn: Callable[[], object], runs: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)

    def __call__(
        self, name: str, value: float, baseline: float | None = None, unit: str = "ms"
    ) -> None:
        if baseline:
            ratio = value / baseline
            base = f"baseline: {baseline:.1f} {unit}, ratio: {ratio:.2f}x"
            line = f"{name}: {value:.1f} {unit} ({base})"
        else:
            line = f"{name}: {value:.1f} {unit}"
        self.lines.append(line)
        print(line, flush=True)
