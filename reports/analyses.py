"""Profile analyses (seed 001, "Analyzing messaging performance").

Two analyses, each writing its result into an uploaded profile group named after it,
which a broadcast can then exclude:

* Frequent MT failures: profiles whose outgoing messages failed (Failed Permanently)
  at least `mt_failures` times in the last `period_days` days.
* Broadcast non-responders: profiles that received at least `broadcasts` broadcast
  messages in the last `period_days` days and sent no message back within
  `response_hours` hours of any of them.

A run replaces the group's members set-based, records Last processed at (UTC) and a
ProfileAnalysisRun with the group size and the failures by reason, and sets the next
run a week or a calendar month later.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import Company
from campaigns.groups import group_create, group_replace_members
from core.errors import ServiceError
from core.jobs import JobContext, JobType, job_enqueue, job_execute, register_job_type
from messaging.models import Message
from profiles.models import Group, Profile

from .models import JobStatus, ProfileAnalysis, ProfileAnalysisRun

Type = ProfileAnalysis.AnalysisType

# What each analysis type takes, with the form's labels and limits.
PARAMETERS: dict[str, dict[str, tuple[str, int, int, int]]] = {
    Type.FREQUENT_MT_FAILURES: {
        "mt_failures": ("MT failures at least", 3, 1, 1000),
        "period_days": ("In the last (days)", 30, 1, 365),
    },
    Type.BROADCAST_NON_RESPONDERS: {
        "broadcasts": ("Broadcast MTs received at least", 3, 1, 1000),
        "period_days": ("In the last (days)", 30, 1, 365),
        "response_hours": ("No MO within (hours)", 48, 1, 24 * 30),
    },
}


class AnalysisError(ServiceError, ValueError):
    """An analysis the rules refuse; the message is for the user."""


def analysis_parameters_clean(analysis_type: str, raw: dict[str, Any]) -> dict[str, int]:
    if analysis_type not in PARAMETERS:
        raise AnalysisError(f"Unknown analysis type {analysis_type!r}.")
    clean = {}
    for key, (label, default, low, high) in PARAMETERS[analysis_type].items():
        value = raw.get(key, default)
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise AnalysisError(f"{label}: a whole number, please.") from exc
        if not low <= number <= high:
            raise AnalysisError(f"{label}: between {low} and {high}.")
        clean[key] = number
    return clean


def analysis_parameters_text(analysis: ProfileAnalysis) -> str:
    """The Analysis Parameters column: what the MT/MO thresholds are, in words."""
    p = analysis.parameters
    if analysis.analysis_type == Type.FREQUENT_MT_FAILURES:
        return f"MT: {p.get('mt_failures')}+ failed in {p.get('period_days')} days"
    return (
        f"MT: {p.get('broadcasts')}+ broadcasts in {p.get('period_days')} days; "
        f"MO: none within {p.get('response_hours')} h"
    )


def next_run_after(moment: dt.datetime, recurring: str) -> dt.datetime:
    if recurring == ProfileAnalysis.Recurring.WEEKLY:
        return moment + dt.timedelta(days=7)
    month = moment.month % 12 + 1
    year = moment.year + (moment.month == 12)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@transaction.atomic
def analysis_create(
    *,
    company: Company,
    analysis_type: str,
    recurring: str,
    parameters: dict[str, Any],
    name: str = "",
    actor: User | None = None,
) -> ProfileAnalysis:
    """Create an analysis and its (empty) result group; the first run is queued."""
    clean = analysis_parameters_clean(analysis_type, parameters)
    if recurring not in ProfileAnalysis.Recurring.values:
        raise AnalysisError("Choose Weekly or Monthly.")
    name = name.strip() or f"{Type(analysis_type).label} ({_short(analysis_type, clean)})"
    group = group_create(company=company, name=name, actor=actor)
    analysis = ProfileAnalysis.objects.create(
        company=company,
        name=name[:200],
        analysis_type=analysis_type,
        recurring=recurring,
        parameters=clean,
        group=group,
        next_run_at=timezone.now(),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    analysis_queue(analysis=analysis)
    return analysis


def _short(analysis_type: str, p: dict[str, int]) -> str:
    if analysis_type == Type.FREQUENT_MT_FAILURES:
        return f"{p['mt_failures']}+ failures in {p['period_days']} days"
    return f"{p['broadcasts']}+ broadcasts, no reply in {p['response_hours']} h"


@transaction.atomic
def analysis_delete(*, analysis: ProfileAnalysis) -> None:
    """Delete the analysis. Its group stays: broadcasts may still exclude it."""
    analysis.delete()


def analysis_profiles(
    *, analysis: ProfileAnalysis, now: dt.datetime | None = None
) -> QuerySet[Profile]:
    """The profiles the analysis selects right now."""
    now = now or timezone.now()
    p = analysis.parameters
    since = now - dt.timedelta(days=int(p["period_days"]))
    mt = Message.objects.filter(company=analysis.company_id, direction=Message.Direction.MT)
    if analysis.analysis_type == Type.FREQUENT_MT_FAILURES:
        failing = (
            mt.filter(status=Message.Status.FAILED, created_at__gte=since, profile__isnull=False)
            .values("profile")
            .annotate(n=Count("pk"))
            .filter(n__gte=int(p["mt_failures"]))
            .values("profile")
        )
        return Profile.objects.for_company(analysis.company_id).filter(pk__in=failing)
    received = mt.filter(
        broadcast__isnull=False,
        status=Message.Status.SENT,
        sent_at__gte=since,
        profile__isnull=False,
    )
    enough = (
        received.values("profile")
        .annotate(n=Count("pk"))
        .filter(n__gte=int(p["broadcasts"]))
        .values("profile")
    )
    window_end = ExpressionWrapper(
        OuterRef("sent_at") + dt.timedelta(hours=int(p["response_hours"])),
        output_field=DateTimeField(),
    )
    answered = Message.objects.filter(
        direction=Message.Direction.MO,
        profile=OuterRef("profile"),
        created_at__gte=OuterRef("sent_at"),
        created_at__lte=window_end,
    )
    responders = received.filter(Exists(answered)).values("profile")
    return (
        Profile.objects.for_company(analysis.company_id)
        .filter(pk__in=enough)
        .exclude(pk__in=responders)
    )


def failures_by_reason(
    *, company_id: int, profiles: QuerySet[Profile], since: dt.datetime
) -> dict[str, int]:
    """Failed MTs of these profiles in the period, by the aggregator's reason."""
    rows = (
        Message.objects.filter(
            company=company_id,
            direction=Message.Direction.MT,
            status=Message.Status.FAILED,
            created_at__gte=since,
            profile__in=profiles.values("pk"),
        )
        .values("error_code", "status_reason")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    result: dict[str, int] = {}
    for row in rows:
        reason = " ".join(x for x in (row["error_code"], row["status_reason"]) if x) or "Unknown"
        result[reason[:120]] = result.get(reason[:120], 0) + row["n"]
    return result


ANALYSIS_JOB = "reports.analysis_run"


@register_job_type
class AnalysisRunJob(JobType):
    """One run of an analysis: replace the group's members, record the run on its row,
    schedule the next one. A failure is shown on the analysis page and the analysis
    tries again an hour later."""

    kind = ANALYSIS_JOB
    model = ProfileAnalysisRun
    select_related = ("analysis",)
    reraise = True  # the worker logs it as the task's error, as a run always did

    def run(self, job: ProfileAnalysisRun, ctx: JobContext) -> dict[str, Any]:
        now = timezone.now()
        with transaction.atomic():
            analysis = ProfileAnalysis.objects.select_for_update().get(pk=job.analysis_id)
            group = analysis.group
            if group is None or group.kind != Group.Kind.UPLOADED:
                group = group_create(company=analysis.company, name=analysis.name)
                analysis.group = group
            profiles = analysis_profiles(analysis=analysis, now=now)
            size = group_replace_members(group=group, profiles=profiles, origin="analysis")
            since = now - dt.timedelta(days=int(analysis.parameters["period_days"]))
            reasons = failures_by_reason(
                company_id=analysis.company_id, profiles=profiles, since=since
            )
            analysis.last_processed_at = now
            analysis.next_run_at = next_run_after(now, analysis.recurring)
            analysis.save(update_fields=["group", "last_processed_at", "next_run_at"])
        ctx.store(group_size=size, failures_by_reason=reasons, row_count=size, total_rows=size)
        return {"analysis": analysis.pk, "group_size": size}

    def on_failed(self, job: ProfileAnalysisRun, exc: Exception) -> None:
        # The next periodic run tries again, not the next scheduled one.
        ProfileAnalysis.objects.filter(pk=job.analysis_id).update(
            next_run_at=timezone.now() + dt.timedelta(hours=1)
        )


def analysis_queue(*, analysis: ProfileAnalysis, at_once: bool = False) -> ProfileAnalysisRun:
    """Record a pending run and queue it for a worker ("Run now", the periodic task).

    `at_once` publishes it now rather than when the caller's transaction commits: for
    callers outside a transaction, whose run row is already committed.
    """
    run = ProfileAnalysisRun.objects.create(analysis=analysis)
    job_enqueue(ANALYSIS_JOB, run.pk, on_commit=not at_once)
    return run


def analysis_run(*, analysis: ProfileAnalysis) -> ProfileAnalysisRun:
    """Run now, in this process: replace the group's members, record the run, schedule
    the next one (the worker's path, without the queue)."""
    run = ProfileAnalysisRun.objects.create(analysis=analysis)
    job_execute(ANALYSIS_JOB, run.pk)
    run.refresh_from_db()
    return run


def analyses_run_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Queue every analysis whose next run is due (celery-beat calls this)."""
    now = now or timezone.now()
    due = list(ProfileAnalysis.objects.filter(next_run_at__lte=now))
    for analysis in due:
        analysis_queue(analysis=analysis, at_once=True)
    return {"queued": len(due)}


def analysis_chart(*, analysis: ProfileAnalysis, runs: int = 12) -> dict[str, Any]:
    """Coordinates for the inline SVG chart: group size per run, failures by reason."""
    history = list(analysis.runs.filter(status=JobStatus.DONE).order_by("-ran_at")[:runs])[::-1]
    width, height, left, bottom = 600, 180, 40, 24
    peak = max([r.group_size for r in history] + [1])
    slot = (width - left) / max(len(history), 1)
    bars = []
    for i, run in enumerate(history):
        h = (height - bottom - 10) * run.group_size / peak
        bars.append(
            {
                "x": left + i * slot + slot * 0.15,
                "y": height - bottom - h,
                "w": slot * 0.7,
                "h": h,
                "label": run.ran_at.strftime("%b %-d"),
                "value": run.group_size,
                "cx": left + i * slot + slot / 2,
            }
        )
    latest = history[-1].failures_by_reason if history else {}
    reasons = sorted(latest.items(), key=lambda kv: -kv[1])[:8]
    top = max([n for _, n in reasons] + [1])
    reason_bars = [
        {"label": label, "value": n, "w": 320 * n / top, "y": 8 + i * 26}
        for i, (label, n) in enumerate(reasons)
    ]
    return {
        "width": width,
        "height": height,
        "baseline": height - bottom,
        "left": left,
        "peak": peak,
        "bars": bars,
        "reasons": reason_bars,
        "reasons_height": 16 + 26 * len(reason_bars),
    }
