import pytest

from messaging.gateways import FakeGateway


@pytest.fixture(autouse=True)
def fake_outbox():
    """Every messaging test starts with an empty FakeGateway outbox."""
    FakeGateway.clear()
    yield FakeGateway
    FakeGateway.clear()
