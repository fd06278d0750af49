"""Company moved to accounts (accounts 0001): the company foreign keys follow.

State only: the table and its constraint are the same, so nothing in the database changes
(rebuilding the foreign key constraints of these big tables would lock them for minutes).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('inbox', '0005_conversations'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='bulkoptout',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bulk_opt_outs', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='cannedresponse',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='conversationnote',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='conversationtag',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='inboxconversation',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.company'),
                ),
            ],
            database_operations=[],
        ),
    ]
