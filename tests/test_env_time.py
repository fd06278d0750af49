"""The sending window's settings are read as HH:MM; a typo stops start-up."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_time


def test_a_sending_window_time_is_read_as_hh_mm(monkeypatch):
    monkeypatch.setenv("SMS_SENDING_WINDOW_END", "20:00")
    assert env_time("SMS_SENDING_WINDOW_END", "21:00") == dt.time(20)
    monkeypatch.delenv("SMS_SENDING_WINDOW_END")
    assert env_time("SMS_SENDING_WINDOW_END", "21:00") == dt.time(21)


def test_a_sending_window_time_that_is_not_hh_mm_stops_start_up(monkeypatch):
    monkeypatch.setenv("SMS_SENDING_WINDOW_END", "9pm")
    with pytest.raises(ImproperlyConfigured, match="SMS_SENDING_WINDOW_END must be a time"):
        env_time("SMS_SENDING_WINDOW_END", "21:00")
