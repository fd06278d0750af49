"""The seed's tracked-link calls: tinyurls, clicks (url_id or url, page, from/to,
include_profile, total_link_clicks), the profile XML's <clicks>, and tenancy."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from links.models import Click, TrackedLink
from messaging.models import Message
from tests import api_samples, factories
from tests.api_client import api_get, error_of, ok, sample, shape

from .builders import URL, sent_broadcast, short_url_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def clicked(company):
    """A broadcast to Ana and Bo; Ana clicked twice, Bo once."""
    ana = factories.make_profile(company, first_name="Ana")
    bo = factories.make_profile(company, first_name="Bo")
    broadcast = sent_broadcast(company, [ana, bo])
    link = TrackedLink.objects.get(broadcast=broadcast)
    now = timezone.now()
    for profile, minutes in ((ana, 30), (ana, 20), (bo, 10)):
        Click.objects.create(
            company=company,
            link=link,
            profile=profile,
            click_key=uuid.uuid4(),
            token=short_url_of(Message.objects.get(profile=profile)).rsplit("/", 1)[1],
            clicked_at=now - dt.timedelta(minutes=minutes),
            user_agent="Mozilla/4.0 (compatible; MSIE 7.0)",
            remote_addr="127.0.0.1",
            referer="https://ref.example/",
        )
    return link, ana, bo


def test_tinyurls_lists_the_company_links(alice, clicked):
    link, *_ = clicked
    root = ok(api_get(alice, "tinyurls"))
    element = root.find("tinyurls/tinyurl")
    assert element.get("id") == str(link.pk)
    assert element.findtext("url") == URL
    assert element.findtext("short_url") == f"https://sc.example.org/{link.code}"


def test_clicks_has_the_shape_of_the_seed_sample(alice, clicked):
    link, ana, bo = clicked
    root = ok(api_get(alice, "clicks", {"url_id": link.pk}))
    missing = shape(sample(api_samples.CLICKS)) - shape(root)
    assert not missing, missing
    container = root.find("clicks")
    assert (container.get("num"), container.get("unique"), container.get("page")) == (
        "3",
        "2",
        "1",
    )
    newest = container.find("click")
    assert newest.findtext("profile_id") == str(bo.pk)
    assert newest.findtext("url") == URL
    assert newest.findtext("clicked_url") == short_url_of(Message.objects.get(profile=bo))
    assert newest.findtext("created_at").endswith(" UTC")
    assert newest.findtext("remote_addr") == "127.0.0.1"
    assert newest.find("profile") is None  # include_profile defaults to false


def test_clicks_by_short_url_with_profiles_and_a_time_window(alice, clicked):
    link, ana, bo = clicked
    ana_url = short_url_of(Message.objects.get(profile=ana))
    since = (timezone.now() - dt.timedelta(minutes=25)).isoformat()
    root = ok(api_get(alice, "clicks", {"url": ana_url, "from": since, "include_profile": "true"}))
    clicks = root.findall("clicks/click")
    assert [c.findtext("profile_id") for c in clicks] == [str(bo.pk), str(ana.pk)]
    assert clicks[1].findtext("profile/first_name") == "Ana"
    assert clicks[1].findtext("phone_number") == ana.phone_number.lstrip("+")


def test_total_link_clicks_answers_the_totals_only(alice, clicked):
    link, *_ = clicked
    root = ok(api_get(alice, "clicks", {"url_id": link.pk, "total_link_clicks": "true"}))
    assert shape(root) == shape(sample(api_samples.CLICKS_TOTAL))
    container = root.find("clicks")
    assert (container.get("total_link_clicks"), container.get("unique")) == ("3", "2")


def test_clicks_pages(alice, clicked):
    link, *_ = clicked
    root = ok(api_get(alice, "clicks", {"url_id": link.pk, "limit": 2, "page": 2}))
    assert root.find("clicks").get("page") == "2"
    assert len(root.findall("clicks/click")) == 1


def test_clicks_needs_a_known_url(alice, clicked):
    assert error_of(api_get(alice, "clicks"))[0] == 20
    assert error_of(api_get(alice, "clicks", {"url": "https://elsewhere.example/x"}))[0] == 20
    assert error_of(api_get(alice, "clicks", {"url_id": 999999}))[0] == 20


def test_another_company_never_sees_the_links_or_clicks(eve, clicked):
    link, ana, _ = clicked
    assert ok(api_get(eve, "tinyurls")).find("tinyurls/tinyurl") is None
    response = api_get(eve, "clicks", {"url_id": link.pk})
    assert response.status_code == 404 and error_of(response)[0] == 20
    ana_url = short_url_of(Message.objects.get(profile=ana))
    assert error_of(api_get(eve, "clicks", {"url": ana_url}))[0] == 20


def test_the_profile_xml_lists_its_clicks(alice, clicked):
    link, ana, _ = clicked
    root = ok(api_get(alice, "profile", {"phone_number": ana.phone_number}))
    clicks = root.findall("profile/clicks/click")
    assert len(clicks) == 2
    assert clicks[0].findtext("url") == URL
    assert clicks[0].findtext("clicked_url") == short_url_of(Message.objects.get(profile=ana))
    listed = ok(api_get(alice, "profiles")).findall("profiles/profile")
    counts = {p.get("id"): len(p.findall("clicks/click")) for p in listed}
    assert counts[str(ana.pk)] == 2
    no_clicks = ok(api_get(alice, "profiles", {"include_clicks": "false"}))
    assert no_clicks.find("profiles/profile/clicks") is None
