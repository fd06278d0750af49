"""The Celery tasks of core, found by autodiscovery: the generic job run and the sweep."""

from .jobs import job_run, jobs_sweep_task

__all__ = ["job_run", "jobs_sweep_task"]
