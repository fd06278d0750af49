"""The dashboard's daily aggregates equal plain SQL counts of the rows they summarise,
on the company's calendar days, and recomputing them changes nothing."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.management import call_command

from campaigns.models import Broadcast
from messaging.models import Message
from reports.models import BroadcastDay, CompanyDay, FailureDay
from reports.rollup import (
    dashboard_backfill,
    dashboard_roll_up,
    dashboards_roll_up_recent,
    local_today,
)
from reports.tasks import ROLL_UP_LOCK_KEY, dashboards_roll_up
from tests.factories import make_campaign, make_profile, make_subscription

from .dashboard_builders import (
    ZONE,
    local,
    mo,
    mt,
    sql_failures,
    sql_message_days,
    sql_subscription_days,
)

pytestmark = pytest.mark.django_db

DAYS = 10


@pytest.fixture
def history(company):
    """Ten days of a program in Los Angeles time, with texts late in the evening (the
    next day in UTC) and just after midnight."""
    company.time_zone = ZONE
    company.save()
    today = local_today(company)
    people = [make_profile(company) for _ in range(4)]
    alerts, rally = make_campaign(company, "Alerts"), make_campaign(company, "Rally")
    for k in range(DAYS):
        day = today - dt.timedelta(days=k)
        person = people[k % 4]
        mt(company, person, local(day, 12), delivered_at=local(day, 12, 1), campaign=alerts)
        mt(company, person, local(day, 9), campaign=alerts)  # sent, no receipt yet
        if k % 2 == 0:
            mt(
                company,
                person,
                local(day, 23, 30),
                status=Message.Status.FAILED,
                error_code="30003",
                status_reason="Unreachable destination handset",
            )
        if k % 3 == 0:
            mt(
                company,
                person,
                local(day, 0, 15),
                status=Message.Status.UNDELIVERABLE,
                status_reason="Opted out of this campaign",
            )
        mo(company, person, local(day, 16, 30))  # 00:30 UTC the next day
        for n, campaign in enumerate((alerts, rally)[: 1 + k % 2]):
            subscriber = make_profile(company)
            make_subscription(subscriber, campaign, activated_at=local(day, 23, 50 + n))
            if k % 4 == 1:
                make_subscription(
                    make_profile(company),
                    campaign,
                    status="Opted-Out",
                    activated_at=local(day - dt.timedelta(days=30), 10),
                    opted_out_at=local(day, 0, 5),
                    opt_out_source="Texted a STOP word",
                )
    return {"today": today, "people": people, "alerts": alerts}


def _aggregate(company) -> dict:
    return {
        row.day: (
            (row.sent, row.delivered, row.failed, row.undeliverable, row.replies),
            (row.opt_ins, row.opt_outs),
        )
        for row in CompanyDay.objects.for_company(company)
    }


def test_daily_figures_equal_sql_counts_on_the_company_s_own_days(company, history):
    today = history["today"]
    dashboard_backfill(company=company, first=today - dt.timedelta(days=45))

    figures = _aggregate(company)
    messages, subscriptions = sql_message_days(company), sql_subscription_days(company)
    for day in set(messages) | set(subscriptions):
        expected = (messages.get(day, (0,) * 5), subscriptions.get(day, (0, 0)))
        assert figures.get(day) == expected, day
    assert set(figures) == set(messages) | set(subscriptions)
    # 23:30 in Los Angeles is the next day in UTC: it counts on the local day.
    assert figures[today][0] == (4, 1, 1, 1, 1)  # k = 0: both failed and refused
    assert figures[today - dt.timedelta(days=1)][0] == (2, 1, 0, 0, 1)
    assert figures[today - dt.timedelta(days=1)][1] == (2, 2)


def test_figures_follow_the_company_s_time_zone(company, history):
    today = history["today"]
    dashboard_backfill(company=company, first=today - dt.timedelta(days=12))
    company.time_zone = "Asia/Tokyo"
    company.save()
    dashboard_backfill(
        company=company, first=today - dt.timedelta(days=12), last=today + dt.timedelta(days=2)
    )

    figures = _aggregate(company)
    messages = sql_message_days(company)
    for day, counts in messages.items():
        if day >= today - dt.timedelta(days=12):
            assert figures[day][0] == counts, day


def test_failures_by_reason_equal_sql(company, history):
    today = history["today"]
    first = today - dt.timedelta(days=DAYS)
    dashboard_backfill(company=company, first=first)

    found: dict[str, int] = {}
    for row in FailureDay.objects.for_company(company):
        found[row.reason] = found.get(row.reason, 0) + row.count
    assert found == sql_failures(company, first, today)
    assert found == {"30003 Unreachable destination handset": 5, "Opted out of this campaign": 4}
    kinds = set(FailureDay.objects.for_company(company).values_list("reason", "kind"))
    assert ("Opted out of this campaign", "undeliverable") in kinds


def test_running_the_roll_up_twice_leaves_the_same_rows(company, history):
    today = history["today"]
    first = today - dt.timedelta(days=DAYS)

    def snapshot():
        return (
            sorted(CompanyDay.objects.values_list("company", "day", "sent", "opt_ins", "replies")),
            sorted(FailureDay.objects.values_list("day", "kind", "reason", "count")),
            sorted(BroadcastDay.objects.values_list("broadcast", "day", "recipients")),
        )

    dashboard_backfill(company=company, first=first)
    once = snapshot()
    dashboard_backfill(company=company, first=first)
    dashboards_roll_up_recent()
    assert snapshot() == once


def test_a_day_is_recomputed_whole_so_a_retried_failure_leaves_its_reason(company, history):
    today = history["today"]
    dashboard_roll_up(company=company, first=today, last=today)
    assert FailureDay.objects.for_company(company).filter(day=today).count() == 2
    # The carrier's failure was retried and delivered.
    Message.objects.filter(
        company=company, error_code="30003", created_at__gte=local(today, 0)
    ).update(
        status=Message.Status.SENT,
        error_code="",
        status_reason="",
        delivered_at=local(today, 23, 40),
    )
    dashboard_roll_up(company=company, first=today, last=today)

    reasons = FailureDay.objects.for_company(company).filter(day=today)
    assert list(reasons.values_list("reason", flat=True)) == ["Opted out of this campaign"]
    row = CompanyDay.objects.get(company=company, day=today)
    assert (row.failed, row.delivered) == (0, 2)


def test_another_company_s_rows_never_count(company, other_company, history):
    today = history["today"]
    stranger = make_profile(other_company)
    new_york = "America/New_York"  # the other company's zone
    for hour in (8, 12, 20):
        at = local(today, hour, zone=new_york)
        mt(other_company, stranger, at, status=Message.Status.FAILED)
        mo(other_company, stranger, at + dt.timedelta(minutes=5))
    make_subscription(
        stranger,
        make_campaign(other_company, "Theirs"),
        activated_at=local(today, 12, zone=new_york),
    )
    dashboard_backfill(company=company, first=today - dt.timedelta(days=DAYS))

    assert not CompanyDay.objects.for_company(other_company).exists()
    assert _aggregate(company)[today][0] == (4, 1, 1, 1, 1)
    dashboards_roll_up_recent()
    theirs = CompanyDay.objects.get(company=other_company, day=today)
    assert (theirs.sent, theirs.failed, theirs.replies, theirs.opt_ins) == (3, 3, 3, 1)


def test_the_periodic_roll_up_does_not_overlap_itself(company, history):
    cache.delete(ROLL_UP_LOCK_KEY)
    cache.add(ROLL_UP_LOCK_KEY, "1", 60)
    try:
        assert dashboards_roll_up() == {"skipped": "another run is in progress"}
        assert not CompanyDay.objects.exists()
    finally:
        cache.delete(ROLL_UP_LOCK_KEY)
    assert dashboards_roll_up()["companies"] >= 1
    assert CompanyDay.objects.for_company(company).filter(day=history["today"]).exists()
    assert not cache.get(ROLL_UP_LOCK_KEY)


def test_the_backfill_command_fills_every_day_since_the_first_message(company, history):
    call_command("dashboard_backfill", company=[company.pk])
    figures = _aggregate(company)
    assert (
        figures.keys() == sql_message_days(company).keys() | sql_subscription_days(company).keys()
    )


def test_the_backfill_command_refuses_an_unknown_company(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No company with id 999999"):
        call_command("dashboard_backfill", company=[999999])


def test_broadcast_days_equal_sql(company, history):
    today = history["today"]
    broadcast = Broadcast.objects.create(
        company=company, campaign=history["alerts"], name="Polls", body="Vote", status="sent"
    )
    for i, person in enumerate(history["people"]):
        mt(
            company,
            person,
            local(today - dt.timedelta(days=1), 20, 59 + i // 2) if i < 2 else local(today, 1),
            broadcast=broadcast,
            delivered_at=local(today, 2) if i != 3 else None,
            status=Message.Status.FAILED if i == 3 else Message.Status.SENT,
        )
    dashboard_backfill(company=company, first=today - dt.timedelta(days=3))
    days = dict(BroadcastDay.objects.filter(broadcast=broadcast).values_list("day", "recipients"))
    assert days == {today - dt.timedelta(days=1): 2, today: 2}
    row = BroadcastDay.objects.get(broadcast=broadcast, day=today)
    assert (row.delivered, row.failed) == (1, 1)


def test_one_company_s_failure_leaves_the_others_rolled_up(company, other_company, history):
    # A zone Python knows and the database is made to refuse.
    from unittest import mock

    real = dashboard_roll_up

    def refuse_acme(*, company, **kwargs):
        if company.name == "Acme Action":
            from django.db import DatabaseError

            raise DatabaseError("time zone not recognized")
        return real(company=company, **kwargs)

    make_subscription(make_profile(other_company), make_campaign(other_company, "Theirs"))
    with mock.patch("reports.rollup.dashboard_roll_up", side_effect=refuse_acme):
        stats = dashboards_roll_up_recent()
    assert stats["failed"] == [company.pk]
    assert not CompanyDay.objects.for_company(company).exists()
    assert CompanyDay.objects.for_company(other_company).exists()
