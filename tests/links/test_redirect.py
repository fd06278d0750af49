"""Per-recipient tokens and the public redirect: 302 and a click recorded once, 404 for
unknown or forged tokens."""

import pytest
from django.test import Client

from links.models import Click, TrackedLink
from links.services import CLICK_QUEUE, click_queue, clicks_drain, clicks_store
from links.tokens import link_url, token_for, token_parse
from messaging.models import Message
from messaging.services import message_send
from tests import factories

from .builders import URL, path_of, sent_broadcast, short_url_of

pytestmark = pytest.mark.django_db


def test_each_recipient_of_a_broadcast_gets_their_own_token(company):
    ana, bo = factories.make_profile(company), factories.make_profile(company)
    broadcast = sent_broadcast(company, [ana, bo])
    link = TrackedLink.objects.get(broadcast=broadcast)
    assert link.url == URL
    urls = {m.profile_id: short_url_of(m) for m in Message.objects.filter(broadcast=broadcast)}
    # The SQL rendering gives exactly the Python token, different for each profile.
    assert urls[ana.pk] == link_url(link_id=link.pk, code=link.code, profile_id=ana.pk)
    assert urls[bo.pk] == link_url(link_id=link.pk, code=link.code, profile_id=bo.pk)
    assert urls[ana.pk] != urls[bo.pk]
    assert not Click.objects.exists()  # nothing stored per recipient until a click


def test_a_single_message_shortens_its_links_with_the_profile_token(company):
    ana = factories.make_profile(company)
    message = message_send(
        company=company, profile=ana, body=f"See {URL}.", shorten_links=True, enqueue=False
    )
    link = TrackedLink.objects.get(url=URL, broadcast=None)
    token = token_for(link_id=link.pk, code=link.code, profile_id=ana.pk)
    assert message.body == f"See https://sc.example.org/{token}."


def test_a_click_redirects_and_is_recorded_with_the_profile(company, requires_redis, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    ana = factories.make_profile(company)
    broadcast = sent_broadcast(company, [ana])
    path = path_of(short_url_of(Message.objects.get(broadcast=broadcast)))
    response = Client().get(
        path,
        HTTP_USER_AGENT="Mozilla/5.0 (Phone)",
        HTTP_REFERER="https://chat.example/",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9",
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    click = Click.objects.get()  # the queue was drained by the task it started
    assert click.profile == ana
    assert click.link.broadcast == broadcast
    assert click.company == company
    assert (click.user_agent, click.referer) == ("Mozilla/5.0 (Phone)", "https://chat.example/")
    assert click.remote_addr == "203.0.113.9"  # the address the trusted proxy saw
    assert click.token == path.lstrip("/")


def test_a_head_request_redirects_without_counting_a_click(company, requires_redis):
    ana = factories.make_profile(company)
    path = path_of(short_url_of(Message.objects.get(broadcast=sent_broadcast(company, [ana]))))
    assert Client().head(path).status_code == 302
    assert not Click.objects.exists()


def test_unknown_and_forged_tokens_get_a_plain_404(company, requires_redis):
    ana, bo = factories.make_profile(company), factories.make_profile(company)
    broadcast = sent_broadcast(company, [ana, bo])
    link = TrackedLink.objects.get(broadcast=broadcast)
    token = token_for(link_id=link.pk, code=link.code, profile_id=ana.pk)
    parsed = token_parse(token)
    # Ana's check digits with Bo's id: a token for Bo cannot be made from Ana's.
    forged = f"{link.code}{bo.pk:x}{parsed.check}"
    for path in (f"/{forged}", "/zzzzzz", f"/zzzzzz{ana.pk:x}{parsed.check}", f"/{token}0"):
        response = Client().get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("text/plain")
    assert not Click.objects.exists()


def test_the_redirect_needs_no_sign_in_and_no_session(company, requires_redis):
    ana = factories.make_profile(company)
    path = path_of(short_url_of(Message.objects.get(broadcast=sent_broadcast(company, [ana]))))
    response = Client(enforce_csrf_checks=True).get(path)
    assert response.status_code == 302
    assert "sessionid" not in response.cookies


def _entry(link, profile, key="0" * 31 + "1"):
    return {
        "k": key,
        "l": link.pk,
        "c": link.company_id,
        "p": profile.pk,
        "tok": "t",
        "at": 1_700_000_000.0,
        "ua": "",
        "ip": None,
        "ref": "",
    }


def test_a_click_handed_over_twice_is_stored_once(company):
    ana = factories.make_profile(company)
    link = TrackedLink.objects.get(broadcast=sent_broadcast(company, [ana]))
    assert clicks_store([_entry(link, ana)]) == 1
    assert clicks_store([_entry(link, ana)]) == 0
    assert Click.objects.count() == 1


def test_a_drain_that_died_before_trimming_stores_nothing_twice(company, requires_redis):
    import json

    ana = factories.make_profile(company)
    link = TrackedLink.objects.get(broadcast=sent_broadcast(company, [ana]))
    queue = click_queue()
    entries = [_entry(link, ana, key=f"{n:032x}") for n in range(5)]
    queue.rpush(CLICK_QUEUE, *[json.dumps(e) for e in entries])
    clicks_store(entries[:3])  # the rows of a drain that committed, then died
    assert clicks_drain()["stored"] == 2
    assert Click.objects.count() == 5
    assert queue.llen(CLICK_QUEUE) == 0


def test_a_profile_of_another_company_is_never_tied_to_a_click(company, other_company):
    ana = factories.make_profile(company)
    outsider = factories.make_profile(other_company)
    link = TrackedLink.objects.get(broadcast=sent_broadcast(company, [ana]))
    clicks_store([_entry(link, outsider)])
    assert Click.objects.get().profile is None
