"""The profiles table's and the inbox's rows as they are now built: in Python, from
escaped text, links from URLs reversed once, numbers formatted on a fast path, the
Filters pane's option groups remembered. Each shortcut must give what the slow way gave."""

import random

import phonenumbers
import pytest
from django.urls import reverse

from core.phones import _parse_e164, phone_display
from tests.factories import make_campaign, make_profile, make_subscription, receive_text

HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"


def test_the_profiles_table_escapes_every_value_it_shows(company, alice, client_as):
    profile = make_profile(
        company,
        first_name=HOSTILE,
        last_name="",
        email='a"b@example.org',
        street1="<b>1 Main</b>",
        city="Springfield & Co",
        status_description="<i>why</i>",
    )
    html = client_as(alice).get(reverse("profiles:list")).content.decode()
    assert "<script>alert" not in html and "<b>1 Main</b>" not in html and "<i>why" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;" in html
    assert "a&quot;b@example.org" in html and "&lt;b&gt;1 Main&lt;/b&gt;" in html
    assert "Springfield &amp; Co" in html
    assert f'href="/profiles/{profile.pk}/"' in html and f'href="/inbox/chat/{profile.pk}/"' in html


def test_the_inbox_escapes_the_text_the_number_and_the_campaign(company, alice, client_as):
    campaign = make_campaign(company, "<em>Alerts</em>")
    profile = make_profile(company, first_name=HOSTILE)
    make_subscription(profile, campaign)
    receive_text(company, profile.phone_number, "<img src=x onerror=alert(1)>")
    html = client_as(alice).get(reverse("inbox:index")).content.decode()
    assert "<img src=x" not in html and "<em>Alerts" not in html and "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;em&gt;Alerts&lt;/em&gt;" in html


@pytest.mark.parametrize(
    "e164", ["+12025550123", "+14165550123", "+18095550123", "+18005550123", "+11234567890"]
)
def test_the_fast_path_parses_a_north_american_number_as_phonenumbers_does(e164):
    assert _parse_e164(e164) == phonenumbers.parse(e164, None)


def test_the_fast_path_agrees_with_phonenumbers_on_random_numbers():
    rng = random.Random(17)
    for _ in range(3000):
        e164 = f"+1{rng.randrange(10**9, 10**10)}"
        assert _parse_e164(e164) == phonenumbers.parse(e164, None), e164


def test_numbers_off_the_fast_path_still_format(settings):
    settings.SMS_DEFAULT_REGION = "US"
    assert phone_display("+12025550123") == "(202) 555-0123"
    assert phone_display("+14165550123") == "+1 416-555-0123"  # Canada, not home
    assert phone_display("+442071838750") == "+44 20 7183 8750"
    assert phone_display("+1202555") == "+1 202555"
    assert phone_display("not a number") == "not a number"


def test_a_remembered_widget_is_the_widgets_own_markup_for_each_selection(company):
    from profiles.selectors import profile_filter
    from profiles.templatetags.widgets import remembered

    for params in ({}, {"subscription_status": "opted_out"}, {"first_seen_type": ["crm"]}):
        form = profile_filter(company=company, params=params).form
        for name in ("subscription_status", "first_seen_type"):
            again = profile_filter(company=company, params=params).form
            assert remembered(form[name]) == str(form[name])
            assert remembered(again[name]) == str(again[name])  # a new form, remembered
    chosen = profile_filter(company=company, params={"subscription_status": "opted_out"}).form
    assert 'value="opted_out" id="id_subscription_status_4" checked' in str(
        remembered(chosen["subscription_status"])
    ).replace("\n", " ")
    assert remembered(chosen["subscription_status"]) != remembered(
        profile_filter(company=company, params={}).form["subscription_status"]
    )


def test_a_url_maker_gives_what_reverse_gives(db):
    from profiles.url_makers import url_maker

    for pk in (1, 42, 987654):
        assert url_maker("profiles:detail")(pk) == reverse("profiles:detail", args=[pk])
        assert url_maker("inbox:chat", kwarg="profile_id")(pk) == reverse("inbox:chat", args=[pk])
    assert url_maker("no:such", fallback="/x/{}/")(7) == "/x/7/"


@pytest.mark.parametrize("zone_name", ["America/New_York", "America/St_Johns", "UTC"])
def test_when_and_stamp_text_are_what_djangos_formatter_gives(zone_name):
    import datetime as dt
    import zoneinfo

    from django.utils import dateformat, translation

    from profiles.templatetags.display import WHEN_FORMAT, stamp_text, when_text

    zone = zoneinfo.ZoneInfo(zone_name)
    rng = random.Random(5)
    start = dt.datetime(2026, 3, 8, tzinfo=dt.UTC)
    moments = [start + dt.timedelta(minutes=rng.randrange(-400_000, 400_000)) for _ in range(300)]
    # Around both DST changes, where a wall time is ambiguous or does not exist.
    walls = [dt.datetime(2026, m, d, h, 30, fold=f) for m, d in ((3, 8), (11, 1)) for h in range(4)
             for f in (0, 1)]  # fmt: skip
    values = [m.astimezone(zone) for m in moments] + [w.replace(tzinfo=zone) for w in walls]
    values += [w for w in walls]  # naive: the default zone's name, as Django gives it
    for language in ("en-us", "de"):
        with translation.override(language):
            for value in values:
                assert when_text(value) == dateformat.format(value, WHEN_FORMAT), value
                assert stamp_text(value) == dateformat.format(value, "Y-m-d H:i:s T"), value
