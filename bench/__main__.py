"""`make bench`: every bench/bench_*.py module's run(report), at BENCH_PROFILES scale.

make bench                              # all benchmarks, 1,000,000 profiles
make bench BENCH_ARGS="profiles_table"  # only bench/bench_profiles_table.py
BENCH_PROFILES=100000 make bench        # a quicker run at a smaller scale
BENCH_MESSAGES=200000 make bench BENCH_ARGS=dashboard   # the dashboard's messages (10M)
"""

import importlib
import pkgutil
import sys
from pathlib import Path

from bench.common import Report, ensure_database, profiles_wanted, setup_django


def main(argv: list[str]) -> None:
    setup_django()
    wanted = set(argv)
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_") and (not wanted or m.name.removeprefix("bench_") in wanted)
    )
    ensure_database(profiles_wanted())
    report = Report()
    for name in names:
        print(f"\n== {name.removeprefix('bench_')} ==", flush=True)
        importlib.import_module(f"bench.{name}").run(report)
    print("\nSummary")
    for line in report.lines:
        print("  " + line)


if __name__ == "__main__":
    main(sys.argv[1:])
