"""campaigns schedules broadcasts; messaging, above it, registers how generation starts."""

from campaigns import broadcasts


def test_messaging_registers_the_generation_starter(monkeypatch):
    from messaging import tasks

    assert len(broadcasts._generation_starters) == 1
    started = []
    monkeypatch.setattr(tasks.broadcast_generate, "delay", started.append)
    broadcasts._generation_starters[0](42)
    assert started == [42]
