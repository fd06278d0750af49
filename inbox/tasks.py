"""Thin Celery tasks of the Inbox."""

from celery import shared_task

from .bulk import bulk_opt_out_run


@shared_task(name="inbox.bulk_opt_out_run", acks_late=True)
def bulk_opt_out_run_task(bulk_id: int) -> dict[str, int]:
    return bulk_opt_out_run(bulk_id=bulk_id)
