"""Company, Membership and ApiToken now belong to accounts (accounts 0001).

State only: the company foreign keys point at accounts.Company, and the old models
leave profiles' state. Their tables and constraints stay as they are (no rebuild of the
constraints on the profile tables). Runs after every app's foreign keys were moved.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('campaigns', '0012_company_moves_to_accounts'),
        ('inbox', '0006_company_moves_to_accounts'),
        ('links', '0002_company_moves_to_accounts'),
        ('messaging', '0012_company_moves_to_accounts'),
        ('profiles', '0013_profile_state_reason_index'),
        ('reports', '0005_company_moves_to_accounts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='activityevent',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='customfield',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='custom_fields', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='crmsync',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='crm_syncs', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='group',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='groups', to='accounts.company'),
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='company',
                ),
                migrations.AlterField(
                    model_name='profile',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='profiles', to='accounts.company'),
                ),
                migrations.AlterField(
                    model_name='suppression',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='suppressions', to='accounts.company'),
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='ApiToken',
                ),
                migrations.DeleteModel(
                    name='Company',
                ),
                migrations.DeleteModel(
                    name='Membership',
                ),
            ],
            database_operations=[],
        ),
    ]
