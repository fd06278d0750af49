"""Settings → Company: the sending window, narrowed by Admins within the legal one."""

import datetime as dt

import pytest

from accounts.models import Company

pytestmark = pytest.mark.django_db

URL = "/profiles/settings/"


@pytest.fixture(autouse=True)
def legal_window(settings):
    settings.SMS_SENDING_WINDOW_START = dt.time(8)
    settings.SMS_SENDING_WINDOW_END = dt.time(21)


def test_an_admin_narrows_the_window_to_end_at_20(company, alice, client_as):
    page = client_as(alice).get(URL).content.decode()
    assert 'value="08:00"' in page and 'value="21:00"' in page
    response = client_as(alice).post(URL, {"start": "08:00", "end": "20:00"})
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.send_window_start is None  # the legal bound, kept as "no narrowing"
    assert company.send_window_end == dt.time(20)


def test_a_window_wider_than_the_legal_one_is_refused_and_nothing_changes(
    company, alice, client_as
):
    company.send_window_end = dt.time(20)
    company.save()
    response = client_as(alice).post(URL, {"start": "07:00", "end": "20:00"})
    assert response.status_code == 400
    assert "cannot start before 08:00" in response.content.decode()
    response = client_as(alice).post(URL, {"start": "09:00", "end": "22:00"})
    assert "cannot end after 21:00" in response.content.decode()
    response = client_as(alice).post(URL, {"start": "19:00", "end": "10:00"})
    assert "must start before it ends" in response.content.decode()
    company.refresh_from_db()
    assert (company.send_window_start, company.send_window_end) == (None, dt.time(20))


def test_only_admins_change_the_window(company, bob, charlie, eve, client_as):
    for user in (bob, charlie):
        assert client_as(user).get(URL).status_code == 403
        assert client_as(user).post(URL, {"start": "09:00", "end": "20:00"}).status_code == 403
    # Eve administers another company: her change lands there, never on Acme.
    client_as(eve).post(URL, {"start": "09:00", "end": "20:00"})
    company.refresh_from_db()
    assert company.send_window_start is None
    assert Company.objects.get(name="Other Org").send_window_start == dt.time(9)
