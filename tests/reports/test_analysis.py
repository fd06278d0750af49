import datetime as dt

import pytest
from django.utils import timezone

from campaigns.models import Broadcast
from campaigns.selectors import group_members
from messaging.models import Message
from reports.analyses import analyses_run_due, analysis_create, analysis_run, next_run_after
from reports.models import ProfileAnalysis
from tests.factories import make_campaign, make_profile

pytestmark = pytest.mark.django_db


def _mt(profile, *, status, days_ago=1, broadcast=None, reason="", code=""):
    at = timezone.now() - dt.timedelta(days=days_ago)
    return Message.objects.create(
        company=profile.company,
        profile=profile,
        phone_number=profile.phone_number,
        direction=Message.Direction.MT,
        message_type="regular_text",
        body="Hi",
        broadcast=broadcast,
        status=status,
        status_reason=reason,
        error_code=code,
        created_at=at,
        sent_at=at if status == Message.Status.SENT else None,
    )


def _mo(profile, at):
    return Message.objects.create(
        company=profile.company,
        profile=profile,
        phone_number=profile.phone_number,
        direction=Message.Direction.MO,
        message_type="reply",
        body="ok",
        status=Message.Status.RECEIVED,
        created_at=at,
    )


def test_frequent_mt_failures_finds_profiles_failing_often_enough_in_the_period(
    company, django_capture_on_commit_callbacks
):
    often, rarely, long_ago = make_profile(company), make_profile(company), make_profile(company)
    for _ in range(3):
        _mt(often, status=Message.Status.FAILED, code="30005", reason="Handset off")
        _mt(long_ago, status=Message.Status.FAILED, days_ago=60)
    _mt(often, status=Message.Status.SENT)
    _mt(rarely, status=Message.Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        analysis = analysis_create(
            company=company,
            analysis_type=ProfileAnalysis.AnalysisType.FREQUENT_MT_FAILURES,
            recurring=ProfileAnalysis.Recurring.WEEKLY,
            parameters={"mt_failures": 3, "period_days": 30},
        )
    analysis.refresh_from_db()
    assert set(group_members(group=analysis.group)) == {often}
    run = analysis.runs.get()
    assert run.group_size == 1
    assert run.failures_by_reason == {"30005 Handset off": 3}
    assert analysis.last_processed_at is not None
    assert analysis.next_run_at - analysis.last_processed_at == dt.timedelta(days=7)


def test_broadcast_non_responders_are_those_who_never_answered_in_time(company):
    campaign = make_campaign(company)
    broadcasts = [
        Broadcast.objects.create(company=company, campaign=campaign, name=f"B{i}", body="x")
        for i in range(2)
    ]
    silent, answered, late, too_few = (make_profile(company) for _ in range(4))
    for profile in (silent, answered, late):
        for b in broadcasts:
            _mt(profile, status=Message.Status.SENT, broadcast=b, days_ago=3)
    _mt(too_few, status=Message.Status.SENT, broadcast=broadcasts[0], days_ago=3)
    sent_at = timezone.now() - dt.timedelta(days=3)
    _mo(answered, sent_at + dt.timedelta(hours=2))
    _mo(late, sent_at + dt.timedelta(hours=30))
    analysis = ProfileAnalysis.objects.create(
        company=company,
        name="Quiet ones",
        analysis_type=ProfileAnalysis.AnalysisType.BROADCAST_NON_RESPONDERS,
        recurring=ProfileAnalysis.Recurring.MONTHLY,
        parameters={"broadcasts": 2, "period_days": 30, "response_hours": 24},
    )
    run = analysis_run(analysis=analysis)
    analysis.refresh_from_db()
    assert set(group_members(group=analysis.group)) == {silent, late}
    assert run.group_size == 2
    assert analysis.group.name == "Quiet ones"


def test_a_new_run_replaces_the_previous_members(company):
    first = make_profile(company)
    for _ in range(2):
        _mt(first, status=Message.Status.FAILED)
    analysis = ProfileAnalysis.objects.create(
        company=company,
        name="Failing",
        analysis_type=ProfileAnalysis.AnalysisType.FREQUENT_MT_FAILURES,
        recurring=ProfileAnalysis.Recurring.WEEKLY,
        parameters={"mt_failures": 2, "period_days": 30},
    )
    analysis_run(analysis=analysis)
    Message.objects.filter(profile=first).update(created_at=timezone.now() - dt.timedelta(days=90))
    second = make_profile(company)
    for _ in range(2):
        _mt(second, status=Message.Status.FAILED)
    analysis_run(analysis=analysis)
    analysis.refresh_from_db()
    assert set(group_members(group=analysis.group)) == {second}
    assert list(analysis.runs.values_list("group_size", flat=True)) == [1, 1]


def test_monthly_runs_fall_on_the_same_day_next_month_or_its_last_day():
    jan31 = dt.datetime(2026, 1, 31, 9, 0, tzinfo=dt.UTC)
    assert next_run_after(jan31, "monthly") == dt.datetime(2026, 2, 28, 9, 0, tzinfo=dt.UTC)
    dec = dt.datetime(2026, 12, 15, tzinfo=dt.UTC)
    assert next_run_after(dec, "monthly") == dt.datetime(2027, 1, 15, tzinfo=dt.UTC)
    assert next_run_after(dec, "weekly") == dt.datetime(2026, 12, 22, tzinfo=dt.UTC)


def test_only_due_analyses_are_run_by_the_periodic_task(company):
    kwargs = {
        "company": company,
        "analysis_type": ProfileAnalysis.AnalysisType.FREQUENT_MT_FAILURES,
        "recurring": ProfileAnalysis.Recurring.WEEKLY,
        "parameters": {"mt_failures": 1, "period_days": 7},
    }
    now = timezone.now()
    due = ProfileAnalysis.objects.create(name="Due", next_run_at=now, **kwargs)
    later = ProfileAnalysis.objects.create(
        name="Later", next_run_at=now + dt.timedelta(days=2), **kwargs
    )
    assert analyses_run_due() == {"queued": 1}
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.last_processed_at is not None and due.next_run_at > now + dt.timedelta(days=6)
    assert later.last_processed_at is None


def test_analysts_create_analyses_and_staff_only_look(
    company, dana, charlie, eve, client_as, django_capture_on_commit_callbacks
):
    data = {
        "analysis_type": "frequent_mt_failures",
        "recurring": "weekly",
        "mt_failures": 2,
        "period_days": 30,
    }
    assert client_as(charlie).post("/reports/analyses/new/", data).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(dana).post("/reports/analyses/new/", data)
    analysis = ProfileAnalysis.objects.get(company=company)
    assert response.status_code == 302
    assert analysis.last_processed_at is not None
    page = client_as(charlie).get("/reports/analyses/")
    assert page.status_code == 200
    assert analysis.group.name in page.content.decode()
    assert client_as(charlie).post(f"/reports/analyses/{analysis.pk}/run/").status_code == 403
    assert client_as(eve).get(f"/reports/analyses/{analysis.pk}/").status_code == 404
    assert client_as(dana).get(f"/reports/analyses/{analysis.pk}/").status_code == 200
    assert client_as(dana).post(f"/reports/analyses/{analysis.pk}/delete/").status_code == 302
    assert not ProfileAnalysis.objects.exists()
