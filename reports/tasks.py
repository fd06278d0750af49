from celery import shared_task

from profiles.models import Company


@shared_task
def ping_database(*, company_id: int) -> dict:
    """A trivial round trip through the broker and the database, for health checks."""
    return {"company": Company.objects.get(pk=company_id).name}
