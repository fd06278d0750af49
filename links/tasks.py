from celery import shared_task

from . import services


@shared_task(name="links.clicks_drain", acks_late=True)
def clicks_drain() -> dict[str, int]:
    """Store the queued clicks (queued by the redirect; swept every minute by beat)."""
    return services.clicks_drain()
