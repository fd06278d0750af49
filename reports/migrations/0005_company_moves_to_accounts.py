"""Company moved to accounts (accounts 0001): the company foreign keys follow.

State only: the table and its constraint are the same, so nothing in the database changes
(rebuilding the foreign key constraints of these big tables would lock them for minutes).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('reports', '0004_inbox_waiting_read_from_conversations'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='broadcastday',
                    name='company',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='companyday',
                    name='company',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='export',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exports', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='failureday',
                    name='company',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='profileanalysis',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='analyses', to='accounts.company'),
                ),
            ],
            database_operations=[],
        ),
    ]
