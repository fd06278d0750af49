import pytest

from links.services import CLICK_QUEUE, click_queue


@pytest.fixture(autouse=True)
def empty_click_queue(settings):
    """Clicks queued by another test (its rows rolled back) must not reach this one."""
    settings.SHORT_LINK_DOMAIN = "https://sc.example.org"
    client = click_queue()
    if client is not None:
        client.delete(CLICK_QUEUE)
    yield
    if client is not None:
        client.delete(CLICK_QUEUE)
