"""Company moved to accounts (accounts 0001): the company foreign keys follow.

State only: the table and its constraint are the same, so nothing in the database changes
(rebuilding the foreign key constraints of these big tables would lock them for minutes).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('links', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='click',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='trackedlink',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.company'),
                ),
            ],
            database_operations=[],
        ),
    ]
