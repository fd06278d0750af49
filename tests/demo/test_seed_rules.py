"""The demo's reset and the rules its catalog is made under."""

import time
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Company
from campaigns.models import Broadcast, Campaign, Keyword
from campaigns.services_campaigns import CampaignError
from demo import catalog
from demo.catalog import DEMO_COMPANY, CampaignSpec
from links.models import Click, TrackedLink
from profiles.models import Profile
from tests.factories import make_profile

pytestmark = pytest.mark.django_db

N = 60


def seed(**options) -> Company:
    call_command("seed_demo", profiles=N, verbosity=0, **options)
    return Company.objects.get(name=DEMO_COMPANY)


@pytest.mark.parametrize("others", [False, True], ids=["truncate", "delete"])
def test_a_reset_clears_tables_of_every_app_that_hold_company_rows(company, others):
    """Tracked links and clicks (the links app) go with the rest of the demo data,
    whether the reset truncates (only demo data) or deletes (another company's too)."""
    if others:
        make_profile(company, first_name="Kept")
    demo = seed()
    broadcast = Broadcast.objects.filter(company=demo, status=Broadcast.Status.SENT).first()
    link = TrackedLink.objects.create(
        company=demo, url="https://example.org/a", code="dEm0aa", broadcast=broadcast
    )
    Click.objects.create(
        company=demo,
        link=link,
        profile=Profile.objects.filter(company=demo).first(),
        click_key=uuid.uuid4(),
        token="dEm0aaXYZ",
        clicked_at=timezone.now(),
    )
    seed(reset=True)
    assert not TrackedLink.objects.filter(company=demo).exists()
    assert not Click.objects.filter(company=demo).exists()
    assert Profile.objects.filter(company=company).count() == int(others)


def test_the_catalog_is_made_under_the_keyword_rule(monkeypatch):
    """Keywords go through keyword_create: a word already in use is refused, as on the
    campaign page, and the seed leaves nothing behind."""
    clash = CampaignSpec("Second Join", "", 10, None, 1, (), (("JOIN again", "JOIN", False),), "Hi")
    monkeypatch.setattr(catalog, "DEMO_CAMPAIGNS", (*catalog.DEMO_CAMPAIGNS, clash))
    with pytest.raises(CampaignError, match="JOIN is already in use"):
        seed()
    assert not Campaign.objects.exists()


def test_ended_campaigns_end_as_an_admin_ends_them_dated_back():
    demo = seed()
    ended = Campaign.objects.filter(company=demo, active=False)
    assert ended.count() == 2
    for campaign in ended:
        keywords = Keyword.objects.filter(opt_in_path__campaign=campaign)
        assert keywords.exists()
        assert not keywords.filter(active=True).exists()
        assert set(keywords.values_list("ended_at", flat=True)) == {campaign.ended_at}
        long_ago = timezone.now() - timedelta(days=400)
        assert campaign.created_at < campaign.ended_at < long_ago
    active = Keyword.objects.filter(company=demo, active=True)
    assert set(active.values_list("name", flat=True)) == {"JOIN", "ACTION", "VOTE", "RENT", "NEWS"}


def test_the_upcoming_broadcast_is_scheduled_and_the_sent_ones_are_history():
    demo = seed()
    by_status = {}
    for broadcast in Broadcast.objects.filter(company=demo):
        by_status.setdefault(broadcast.status, []).append(broadcast)
    assert {s: len(b) for s, b in by_status.items()} == {"sent": 3, "scheduled": 1, "draft": 1}
    (upcoming,) = by_status["scheduled"]
    assert upcoming.delivery_time > timezone.now() and upcoming.localtime
    for sent in by_status["sent"]:
        assert sent.created_at < sent.started_at < sent.finished_at < timezone.now()


def test_a_slow_writer_does_not_make_the_second_company_repeat_ids(monkeypatch):
    """The second company's first ids are read once the first company's rows are written:
    with a writer thread that lags behind, reading them earlier repeated ids."""
    from demo import loader

    copy = loader.Loader._copy

    def slow_copy(self, cursor, name, text):
        time.sleep(0.05)
        copy(self, cursor, name, text)

    monkeypatch.setattr(loader.Loader, "_copy", slow_copy)
    demo = seed()
    assert Profile.objects.filter(company=demo).count() == N
