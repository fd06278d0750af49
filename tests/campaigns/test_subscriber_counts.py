"""The maintained count of Active subscriptions per campaign stays exact on every path.

Each path below runs through the real service (or the raw SQL some code writes), then
every campaign's maintained figure is compared with COUNT(*) of its Active rows. The
database triggers (campaigns migration 0014) do the maintaining: without them every
count here stays at what the world was built with, and these tests fail.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.models import Company
from campaigns import tasks
from campaigns.models import (
    Campaign,
    CampaignSubscriberCount,
    CampaignSubscriberDelta,
    Keyword,
    OptInPath,
    Subscription,
)
from campaigns.selectors import campaign_list, campaign_subscriber_counts
from campaigns.services_subscriptions import (
    profile_opt_out,
    subscription_create,
    subscription_reactivate,
)
from campaigns.subscriber_counts import active_count_expression, subscriber_counts_fold
from config.celery import app as celery_app
from inbox.bulk import bulk_opt_out_apply, profiles_opt_out_bulk
from messaging.delivery import messages_deliver_batch
from messaging.flows import flows_expire_pending
from messaging.models import Message
from messaging.services import message_send
from profiles.models import OptOutSource, Profile
from profiles.services import profile_erase
from tests.factories import make_campaign, make_opt_in_path, make_profile, receive_text
from tests.messaging.test_pipeline import carrier

pytestmark = pytest.mark.django_db

ACTIVE = Subscription.Status.ACTIVE
DEMO_PROFILES = 300


def shown() -> dict[int, int]:
    """Every campaign's maintained figure, as the pages read it."""
    return dict(Campaign.objects.annotate(n=active_count_expression()).values_list("pk", "n"))


def counted() -> dict[int, int]:
    """Every campaign's Active rows, counted."""
    active = dict(
        Subscription.objects.filter(status=ACTIVE)
        .values("campaign")
        .annotate(n=Count("*"))
        .values_list("campaign", "n")
    )
    return {pk: active.get(pk, 0) for pk in Campaign.objects.values_list("pk", flat=True)}


def assert_exact() -> None:
    assert shown() == counted()


@dataclass
class World:
    company: Company
    alerts: Campaign  # double opt-in keyword JOIN
    news: Campaign  # single opt-in keyword NEWS
    other: Campaign  # another company's
    people: list[Profile]  # subscribed to Alerts and News
    alice: User

    def figures(self) -> tuple[int, int, int]:
        now = shown()
        return now[self.alerts.pk], now[self.news.pk], now[self.other.pk]

    def text(self, phone: str, body: str):
        return receive_text(self.company, phone, body)


@pytest.fixture
def world(company, other_company, alice) -> World:
    alerts = make_campaign(company, "Alerts")
    path = make_opt_in_path(alerts, "Double", keyword="JOIN")
    OptInPath.objects.filter(pk=path.pk).update(
        double_opt_in=True,
        confirmation_text="Reply YES to get Alerts texts, NO to cancel.",
        confirmation_window_hours=2,
    )
    news = make_campaign(company, "News")
    make_opt_in_path(news, "Keyword", keyword="NEWS")
    people = [make_profile(company) for _ in range(3)]
    for person in people:
        for campaign in (alerts, news):
            subscription_create(profile=person, campaign=campaign, source="Web form")
    other = make_campaign(other_company, "Theirs")
    for _ in range(3):
        subscription_create(profile=make_profile(other_company), campaign=other, source="Web form")
    world = World(company, alerts, news, other, people, alice)
    assert world.figures() == (3, 3, 3)
    return world


def _subscribe(w: World) -> None:
    subscription_create(profile=make_profile(w.company), campaign=w.news, source="Web form")


def _keyword(w: World) -> None:
    w.text("+12025550301", "NEWS")


def _double_opt_in_pending(w: World) -> None:
    w.text("+12025550302", "JOIN")  # Pending is not a subscriber yet


def _double_opt_in_yes(w: World) -> None:
    w.text("+12025550303", "JOIN")
    w.text("+12025550303", "YES")


def _double_opt_in_no(w: World) -> None:
    w.text("+12025550304", "JOIN")
    w.text("+12025550304", "NO")


def _double_opt_in_expired(w: World) -> None:
    w.text("+12025550305", "JOIN")
    flows_expire_pending(now=timezone.now() + dt.timedelta(hours=3))


def _opt_out_one_subscription(w: World) -> None:
    subscription = Subscription.objects.get(profile=w.people[0], campaign=w.alerts)
    profile_opt_out(profile=w.people[0], source=OptOutSource.MANUAL, subscription=subscription)


def _opt_out_of_one_campaign(w: World) -> None:
    profile_opt_out(profile=w.people[0], source=OptOutSource.MANUAL, campaign=w.news)


def _opt_out_everywhere(w: World) -> None:
    profile_opt_out(profile=w.people[0], source=OptOutSource.MANUAL)


def _stop_text(w: World) -> None:
    w.text(w.people[1].phone_number, "STOP")


def _resubscribe(w: World) -> None:
    profile_opt_out(profile=w.people[0], source=OptOutSource.MANUAL)
    old = Subscription.objects.get(profile=w.people[0], campaign=w.alerts)
    subscription_reactivate(subscription=old, source="OOPS", subscriber_asked=True)


def _bulk_opt_out_job(w: World) -> None:
    numbers = "\n".join(p.phone_number for p in w.people[:2])
    bulk_opt_out_apply(company_id=w.company.pk, source=f"phone\n{numbers}", actor_id=w.alice.pk)


def _bulk_opt_out_of_one_campaign(w: World) -> None:
    ids = [p.pk for p in w.people]
    profiles_opt_out_bulk(company_id=w.company.pk, profile_ids=ids, campaign=w.alerts)


def _erasure(w: World) -> None:
    person = w.people[2]
    profile_erase(profile=person, actor=w.alice, confirmation=person.phone_number)


def _set_based_update(w: World) -> None:
    Subscription.objects.filter(campaign=w.news, status=ACTIVE).update(
        status=Subscription.Status.OPTED_OUT, opted_out_at=timezone.now()
    )


def _deletion(w: World) -> None:
    Subscription.objects.filter(campaign=w.alerts).delete()


def _campaign_deletion(w: World) -> None:
    Subscription.objects.filter(campaign=w.news).delete()
    Keyword.objects.filter(opt_in_path__campaign=w.news).delete()
    OptInPath.objects.filter(campaign=w.news).delete()
    w.news.delete()


def _copy(w: World) -> None:
    """Rows streamed in with COPY, as the demo load writes them."""
    profiles = [make_profile(w.company) for _ in range(2)]
    now = timezone.now()
    rows = [(profile.pk, w.news.pk, ACTIVE) for profile in profiles]
    rows.append((profiles[0].pk, w.alerts.pk, Subscription.Status.PENDING))
    columns = "company_id, profile_id, campaign_id, status, opt_in_source, created_at, "
    columns += "opt_out_source, via_api"
    sql = f"COPY campaigns_subscription ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for profile_id, campaign_id, status in rows:
            copy.write_row((w.company.pk, profile_id, campaign_id, status, "", now, "", False))


def _truncate(w: World) -> None:
    with connection.cursor() as cursor:
        # Rows written in this test's transaction hold deferred foreign-key checks,
        # which TRUNCATE refuses to skip (as demo.reset does).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE campaigns_subscription CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


PATHS: list[tuple[Callable[[World], None], tuple[int | None, int | None, int]]] = [
    (_subscribe, (3, 4, 3)),
    (_keyword, (3, 4, 3)),
    (_double_opt_in_pending, (3, 3, 3)),
    (_double_opt_in_yes, (4, 3, 3)),
    (_double_opt_in_no, (3, 3, 3)),
    (_double_opt_in_expired, (3, 3, 3)),
    (_opt_out_one_subscription, (2, 3, 3)),
    (_opt_out_of_one_campaign, (3, 2, 3)),
    (_opt_out_everywhere, (2, 2, 3)),
    (_stop_text, (2, 2, 3)),
    (_resubscribe, (3, 2, 3)),
    (_bulk_opt_out_job, (1, 1, 3)),
    (_bulk_opt_out_of_one_campaign, (0, 3, 3)),
    (_erasure, (2, 2, 3)),
    (_set_based_update, (3, 0, 3)),
    (_deletion, (0, 3, 3)),
    (_campaign_deletion, (3, None, 3)),
    (_copy, (3, 5, 3)),
    (_truncate, (0, 0, 0)),
]


@pytest.mark.parametrize(
    ("path", "expected"), PATHS, ids=[path.__name__.strip("_") for path, _ in PATHS]
)
def test_after_each_path_the_count_is_the_active_rows(world, path, expected):
    path(world)
    assert_exact()
    now = shown()
    alerts, news, other = expected
    assert now.get(world.alerts.pk) == alerts
    assert now.get(world.news.pk) == news
    assert now[world.other.pk] == other


@pytest.mark.parametrize(
    ("path", "expected"), PATHS, ids=[path.__name__.strip("_") for path, _ in PATHS]
)
def test_a_fold_after_each_path_keeps_the_figures(world, path, expected):
    subscriber_counts_fold()
    path(world)
    before = shown()
    subscriber_counts_fold()
    assert shown() == before == counted()
    assert not CampaignSubscriberDelta.objects.exists()


def test_the_campaigns_list_and_page_show_the_maintained_count(world, client_as, alice):
    _bulk_opt_out_of_one_campaign(world)
    listed = {c.name: c.active_count for c in campaign_list(company=world.company)}
    assert listed == {"Alerts": 0, "News": 3}
    html = client_as(alice).get(reverse("campaigns:list")).content.decode()
    assert "Theirs" not in html
    page = client_as(alice).get(reverse("campaigns:detail", args=[world.news.pk]))
    assert page.context["counts"] == {"active": 3, "opted_out": 0}
    assert campaign_subscriber_counts(campaign=world.alerts) == {"active": 0, "opted_out": 3}


def test_a_set_based_update_of_many_rows_writes_one_delta_per_campaign(world, company):
    subscriber_counts_fold()
    people = [make_profile(company) for _ in range(200)]
    Subscription.objects.bulk_create(
        Subscription(company=company, profile=p, campaign=c, status=ACTIVE, activated_at=None)
        for p in people
        for c in (world.alerts, world.news)
    )
    assert world.figures() == (203, 203, 3)
    assert CampaignSubscriberDelta.objects.count() == 2
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE campaigns_subscription SET status = 'Opted-Out' "
            "WHERE company_id = %s AND status = 'Active' AND profile_id %% 2 = 0",
            [company.pk],
        )
    assert_exact()
    assert CampaignSubscriberDelta.objects.count() == 4


def test_an_update_that_leaves_rows_active_where_they_were_writes_no_delta(world):
    subscriber_counts_fold()
    Subscription.objects.filter(campaign=world.alerts).update(opt_in_source="Renamed")
    assert not CampaignSubscriberDelta.objects.exists()
    assert world.figures() == (3, 3, 3)


def test_an_update_that_moves_rows_between_campaigns_counts_both(world, company):
    newcomers = [make_profile(company) for _ in range(2)]
    for person in newcomers:
        subscription_create(profile=person, campaign=world.news, source="Web form")
    Subscription.objects.filter(profile__in=newcomers).update(campaign=world.alerts)
    assert world.figures() == (5, 3, 3)
    assert_exact()


def test_folding_twice_changes_nothing_the_second_time(world):
    _opt_out_everywhere(world)
    first = subscriber_counts_fold()
    assert first["campaigns"] == 3
    rows = sorted(CampaignSubscriberCount.objects.values_list("campaign", "active"))
    assert rows == sorted(counted().items())
    assert subscriber_counts_fold() == {"campaigns": 0, "orphans": 0}
    assert sorted(CampaignSubscriberCount.objects.values_list("campaign", "active")) == rows


def test_writes_after_a_fold_add_to_the_folded_count(world):
    subscriber_counts_fold()
    _subscribe(world)
    _stop_text(world)
    assert world.figures() == (2, 3, 3)
    assert_exact()


def test_the_fold_drops_the_counts_of_deleted_campaigns(world):
    subscriber_counts_fold()
    news_id = world.news.pk
    _campaign_deletion(world)
    # The ORM's cascade took the count row; the demo reset's DELETEs may leave it behind.
    assert not CampaignSubscriberCount.objects.filter(campaign_id=news_id).exists()
    CampaignSubscriberCount.objects.create(campaign_id=news_id, active=3)
    assert subscriber_counts_fold()["orphans"] == 1
    assert not CampaignSubscriberCount.objects.filter(campaign_id=news_id).exists()
    assert_exact()


def test_the_backfill_counts_the_rows_already_there(world):
    migration = import_module("campaigns.migrations.0014_campaign_subscriber_counts")
    CampaignSubscriberCount.objects.all().delete()
    CampaignSubscriberDelta.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)
    assert_exact()
    assert world.figures() == (3, 3, 3)


def test_the_fold_runs_every_minute_under_its_lock(world):
    entry = django_settings.CELERY_BEAT_SCHEDULE["subscriber_counts_fold"]
    assert entry["task"] in celery_app.tasks
    _opt_out_everywhere(world)
    cache.add("lock:subscriber_counts_fold", "1", 60)
    assert tasks.subscriber_counts_fold() == {"skipped": "another run is in progress"}
    assert CampaignSubscriberDelta.objects.exists()
    cache.delete("lock:subscriber_counts_fold")
    assert tasks.subscriber_counts_fold() == {"campaigns": 3, "orphans": 0}
    assert not CampaignSubscriberDelta.objects.exists()
    assert_exact()


def test_the_demo_load_and_both_kinds_of_reset_keep_the_counts(company):
    """The demo loads its rows with COPY; its reset TRUNCATEs when it owns every row and
    DELETEs company by company when another company has data (here Acme's)."""
    call_command("seed_demo", profiles=DEMO_PROFILES, verbosity=0)
    assert sum(shown().values()) > DEMO_PROFILES / 2
    assert_exact()
    call_command("seed_demo", profiles=DEMO_PROFILES, reset=True, verbosity=0)  # TRUNCATE
    assert_exact()
    ours = make_campaign(company, "Ours")
    for _ in range(2):
        subscription_create(profile=make_profile(company), campaign=ours, source="Web form")
    call_command("seed_demo", profiles=DEMO_PROFILES, reset=True, verbosity=0)  # DELETE
    assert_exact()
    assert shown()[ours.pk] == 2
    subscriber_counts_fold()
    assert_exact()


def test_a_carrier_opt_out_at_send_time_leaves_the_count_exact(world, settings):
    """The carrier answers a broadcast's message with its opt-out code (21610)."""
    person = world.people[0]
    with carrier(settings, twilio_errors={person.phone_number: 21610}):
        message = message_send(
            company=world.company,
            profile=person,
            body="Polls open 7am",
            campaign=world.news,
            originator="+12028830000",
            enqueue=False,
        )
        messages_deliver_batch(messages=Message.objects.filter(pk=message.pk))
    assert world.figures() == (2, 2, 3)
    assert_exact()
