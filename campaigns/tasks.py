"""Thin Celery tasks of campaigns: ids in, one service call, a small result for the log.

The broadcast sending and flow tasks are messaging.tasks' (they send); their names keep
the campaigns. prefix, which the beat schedule and the queue routes know them by."""

from celery import shared_task

from . import group_uploads


@shared_task(name="campaigns.group_upload_run", acks_late=True)
def group_upload_run_task(upload_id: int) -> dict:
    return group_uploads.group_upload_run(upload_id=upload_id)
