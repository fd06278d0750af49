"""Exports and analysis runs become jobs of core.jobs: the shared fields, data kept.

Export's file and started_at keep their columns' data under the job's names
(results_file, claimed_at); an analysis run already recorded keeps its status, and
gets its run time as its creation and finish time.
"""

import django.utils.timezone
from django.db import migrations, models


def runs_timed(apps, schema_editor):
    ProfileAnalysisRun = apps.get_model("reports", "ProfileAnalysisRun")
    ProfileAnalysisRun.objects.update(
        created_at=models.F("ran_at"), finished_at=models.F("ran_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_company_moves_to_accounts"),
    ]

    operations = [
        migrations.RenameField("export", "file", "results_file"),
        migrations.RenameField("export", "started_at", "claimed_at"),
        migrations.AddField(
            model_name="profileanalysisrun",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="profileanalysisrun",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(runs_timed, migrations.RunPython.noop),
    ]
