"""Deliveries that arrive at the same moment, each on its own database connection.

The first delivery is held inside its transaction until the second is seen waiting on
a database lock; only then is the first let go. So the second really does run while
the first is uncommitted, and what decides is the database, not a lookup beforehand.
"""

import json
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

import messaging.inbound as inbound
import messaging.inbound_store as inbound_store
import profiles.creation as creation
from messaging.models import Message
from messaging.webhooks import webhook_headers
from profiles.models import Profile

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "+12025550166"
WAIT = 20  # seconds before giving up on an event: a safety net, never an assertion


def _deliver(payload: dict, answers: list) -> None:
    try:
        body = json.dumps(payload).encode()
        response = Client().post(
            reverse("messaging:inbound"),
            body,
            content_type="application/json",
            headers=webhook_headers(body),
        )
        answers.append((response.status_code, response.json()))
    finally:
        connection.close()


def _someone_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def _deliver_together(monkeypatch, hold_in: str, first: dict, second: dict, module=inbound) -> list:
    """Run `first` until it calls module.<hold_in>, then `second`, then let `first` go."""
    held, release = threading.Event(), threading.Event()
    real = getattr(module, hold_in)
    calls = iter(range(1_000))

    def holding(*args, **kwargs):
        result = real(*args, **kwargs)
        if next(calls) == 0:
            held.set()
            release.wait(WAIT)
        return result

    monkeypatch.setattr(module, hold_in, holding)
    answers: list = []
    one = threading.Thread(target=_deliver, args=(first, answers))
    two = threading.Thread(target=_deliver, args=(second, answers))
    one.start()
    assert held.wait(WAIT)
    two.start()
    deadline = time.monotonic() + WAIT
    while not _someone_waits_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    release.set()
    one.join(WAIT)
    two.join(WAIT)
    return answers


def test_two_deliveries_of_the_same_id_at_once_store_one_row(company, monkeypatch):
    payload = {"id": "SMsame", "from": PHONE, "to": "22822", "body": "HELP"}
    # Held just after the first INSERT, before its commit: the second INSERT waits on it.
    answers = _deliver_together(monkeypatch, "_insert_once", payload, payload, module=inbound_store)
    assert sorted(status for status, _ in answers) == [200, 200]
    assert sorted(answer["redelivered"] for _, answer in answers) == [False, True]
    assert len({answer["id"] for _, answer in answers}) == 1
    assert Message.objects.filter(direction="mo").count() == 1
    assert Message.objects.get(direction="mo").message_type == "unknown_help_request"
    assert Message.objects.filter(direction="mt").count() == 1  # one help response


def test_two_first_texts_of_a_new_number_at_once_make_one_profile(company, monkeypatch):
    first = {"id": "SM1", "from": PHONE, "to": "22822", "body": "hello"}
    second = {**first, "id": "SM2", "body": "anyone there?"}
    # Held just after the first profile's INSERT, before its commit.
    answers = _deliver_together(monkeypatch, "profile_create", first, second, module=creation)
    assert sorted(status for status, _ in answers) == [200, 200]
    assert Profile.objects.filter(phone_number=PHONE).count() == 1
    profile = Profile.objects.get(phone_number=PHONE)
    assert Message.objects.filter(direction="mo", profile=profile).count() == 2
