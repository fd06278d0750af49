"""The full profiles CSV export, end to end through the Celery task, against raw COPY.

The export runs in a fresh interpreter (multiprocessing's "spawn": as a worker runs it,
`job_run.apply`, the same code a worker executes). Not a fork: a forked child shares
the bench parent's pages, so its RSS counted the parent's gigabyte, and it inherited
the broker connection an earlier bench had opened, whose after-fork cleanup blocked
forever. The child reports its own high-water mark (VmHWM), the export's alone.
Baseline, same run: `COPY (the export's own SELECT) TO STDOUT WITH CSV`, to a file.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import statistics
import tempfile
import time

RUNS = 3


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def _run_export(export_id: int, conn) -> None:
    from bench.common import setup_django

    setup_django()
    from core.jobs import job_run
    from reports.services import EXPORT_JOB

    started = time.perf_counter()
    result = job_run.apply(kwargs={"kind": EXPORT_JOB, "job_id": export_id}).get()
    conn.send((time.perf_counter() - started, result, _peak_rss_mb()))
    conn.close()


def _raw_copy(rows_queryset, *, jit: bool) -> None:
    from django.db import connection

    sql, params = rows_queryset.query.sql_with_params()
    raw = connection.get_new_connection(connection.get_connection_params())
    if not jit:
        raw.execute("SET jit = off")
    try:
        statement = f"COPY ({sql}) TO STDOUT WITH CSV"
        with (
            tempfile.TemporaryFile() as out,
            raw.cursor() as cursor,
            cursor.copy(statement, params or None) as copy,
        ):
            for data in copy:
                out.write(data)
    finally:
        raw.close()


def run(report) -> None:
    from django.db import connections
    from django.db.models import Count

    from accounts.models import Company
    from profiles.models import CustomField, Profile
    from reports.exports import export_type_for
    from reports.exports.profiles import profiles_export_config
    from reports.models import Export

    from .bench_profiles_table import _member

    company = Company.objects.annotate(n=Count("profiles")).order_by("-n").first()
    assert company is not None, "no company: load the benchmark data first"
    user = _member(company)
    total = Profile.objects.for_company(company).count()
    fields = CustomField.objects.for_company(company).count()
    print(f"{company.name}: {total:,} profiles, {fields} custom fields", flush=True)

    probe = Export(company=company, kind=Export.Kind.PROFILES, config={"query": ""})
    rows = export_type_for(Export.Kind.PROFILES).rows(probe)

    def timed_copy(jit: bool) -> float:
        started = time.perf_counter()
        _raw_copy(rows, jit=jit)
        return time.perf_counter() - started

    # Runs alternate export and baselines so that load from other processes on the
    # machine falls on all of them alike. Two baselines: COPY with the server's
    # defaults, and COPY with JIT off as the export's own session sets it.
    context = multiprocessing.get_context("spawn")
    export_seconds, copy_seconds, copy_nojit_seconds, peaks = [], [], [], []
    for _ in range(RUNS):
        copy_seconds.append(timed_copy(jit=True))
        copy_nojit_seconds.append(timed_copy(jit=False))
        export = Export.objects.create(
            company=company,
            requested_by=user,
            kind=Export.Kind.PROFILES,
            name="bench",
            config=profiles_export_config(query="", scope=None),
        )
        connections.close_all()
        parent, child = context.Pipe()
        process = context.Process(target=_run_export, args=(export.pk, child))
        process.start()
        seconds, result, peak_mb = parent.recv()
        process.join()
        assert result.get("rows") == total, result
        export_seconds.append(seconds)
        peaks.append(peak_mb)
        export.refresh_from_db()
        if export.results_file:
            os.remove(export.results_file.path)
        export.delete()

    value = statistics.median(export_seconds) * 1000
    for label, samples in (("raw COPY", copy_seconds), ("raw COPY, jit off", copy_nojit_seconds)):
        baseline = statistics.median(samples) * 1000
        report(f"profiles CSV export of {total:,} profiles vs {label}", value, baseline)
    report("profiles CSV export: worker peak RSS", max(peaks), 300.0, unit="MB")
