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
    from profiles.demo.seed import demo_profile_count

    # The demo's small second company does not count toward N.
    have = demo_profile_count()
    if have < profiles:
        print(f"seeding {profiles:,} profiles (have {have:,}) …", flush=True)
        started = time.perf_counter()
        call_command("seed_demo", profiles=profiles, reset=True, verbosity=0)
        print(
            f"seed_demo --profiles {profiles:,}: {time.perf_counter() - started:.1f} s", flush=True
        )


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
