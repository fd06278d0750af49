"""core.locks.periodic: one run at a time, the lock released, the run's stats kept."""

import pytest
from django.core.cache import cache

from core.locks import periodic, periodic_last_run

LOCK = "lock:tests.core.periodic"


@pytest.fixture(autouse=True)
def _free():
    cache.delete(LOCK)
    yield
    cache.delete(LOCK)


def test_a_run_holds_the_lock_and_releases_it():
    held = []

    @periodic(lock=LOCK, timeout=30)
    def sweep() -> dict:
        held.append(cache.get(LOCK))
        return {"done": 1}

    assert sweep() == {"done": 1}
    assert held == ["1"] and cache.get(LOCK) is None
    last = periodic_last_run(LOCK)
    assert last["result"] == {"done": 1} and last["seconds"] >= 0
    assert last["task"].endswith("sweep") and last["finished_at"]


def test_a_run_while_another_holds_the_lock_is_skipped():
    calls = []

    @periodic(lock=LOCK)
    def sweep() -> dict:
        calls.append(1)
        return {}

    @periodic(lock=LOCK, skipped={"locked": 1})
    def other() -> dict:
        calls.append(2)
        return {}

    cache.add(LOCK, "1", 60)
    assert sweep() == {"skipped": "another run is in progress"}
    assert other() == {"locked": 1}
    assert calls == [] and periodic_last_run(LOCK) is None


def test_a_run_that_fails_releases_the_lock():
    @periodic(lock=LOCK)
    def sweep() -> dict:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        sweep()
    assert cache.get(LOCK) is None


def test_the_lock_expires_with_its_timeout(monkeypatch):
    added = []
    monkeypatch.setattr(cache, "add", lambda key, value, timeout: added.append(timeout) or True)

    @periodic(lock=LOCK, timeout=42)
    def sweep() -> dict:
        return {}

    sweep()
    assert added == [42]
