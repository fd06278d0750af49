"""The export sweep became the sweep of every job kind (core.jobs_sweep).

celery-beat's database scheduler keeps the entries it once copied from
CELERY_BEAT_SCHEDULE: the old entry would name a task that no longer exists, so it goes.
"""

from django.db import migrations

RETIRED = "reports.exports_restart_stalled"


def retire(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task=RETIRED).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(retire, migrations.RunPython.noop)]
