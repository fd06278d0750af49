"""Company moved to accounts (accounts 0001): the company foreign keys follow.

State only: the table and its constraint are the same, so nothing in the database changes
(rebuilding the foreign key constraints of these big tables would lock them for minutes).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('campaigns', '0011_opt_in_path_flows'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='broadcast',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='broadcasts', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='campaign',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='campaigns', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='donation',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='flowrun',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='flowstep',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='fundraising',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='fundraisings', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='groupupload',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='keyword',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='keywords', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='messagetemplate',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='optinpath',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='subscription',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='tag',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tags', to='accounts.company'),
                ),
            ],
            database_operations=[],
        ),
    ]
