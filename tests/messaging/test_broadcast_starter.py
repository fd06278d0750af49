"""campaigns is below messaging: messaging registers its broadcast starter and port there."""

from campaigns import broadcasts


def test_messaging_registers_the_generation_starter(monkeypatch):
    from messaging import tasks

    assert len(broadcasts._generation_starters) == 1
    started = []
    monkeypatch.setattr(tasks.broadcast_generate, "delay", started.append)
    broadcasts._generation_starters[0](42)
    assert started == [42]


def test_messaging_fills_the_port_campaigns_calls_it_through():
    from campaigns.messaging_port import messaging_port
    from messaging import broadcast_reads, flows

    port = messaging_port()
    assert port.broadcast_waiting_for_window is broadcast_reads.broadcast_waiting_for_window
    assert port.broadcast_sent_segments is broadcast_reads.broadcast_sent_segments
    assert port.broadcast_test_send is broadcast_reads.broadcast_test_sent
    assert port.path_opt_in_via_api is flows.flow_opt_in_via_api
