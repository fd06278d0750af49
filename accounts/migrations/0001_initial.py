"""Company, Membership and ApiToken move here from profiles, keeping their tables.

The tables (profiles_company, profiles_membership, profiles_apitoken) stay as they are:
the models are created in Django's state only. Their content types move with them, so
permissions and admin log entries that name them keep pointing at the same rows.
"""

import accounts.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ["company", "membership", "apitoken"]


def content_types_move(from_app: str, to_app: str):
    """Give the models' content types to the new app, so the permissions and admin log
    entries attached to them stay attached. A database made before the content types
    existed (a fresh one) has none to move; post_migrate makes the new ones."""

    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        types = ContentType.objects.using(db)
        for model in MODELS:
            if types.filter(app_label=to_app, model=model).exists():
                continue
            types.filter(app_label=from_app, model=model).update(app_label=to_app)
        ContentType.objects.clear_cache()

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        # The tables exist (and hold their final columns) before accounts claims them.
        ("profiles", "0013_profile_state_reason_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Company',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200)),
                        ('key', models.CharField(default=accounts.models._company_key, editable=False, max_length=34, unique=True)),
                        ('short_code', models.CharField(blank=True, default='', max_length=20)),
                        ('advocacy_enabled', models.BooleanField(default=True, help_text='Show legislators and districts (last_saved_districts in the API).')),
                        ('send_window_start', models.TimeField(blank=True, help_text='Broadcasts start no earlier than this local time', null=True)),
                        ('send_window_end', models.TimeField(blank=True, help_text='Broadcasts stop at this local time', null=True)),
                        ('time_zone', models.CharField(default='America/New_York', help_text='Every page shows times in this zone (an IANA name such as America/Chicago).', max_length=64, validators=[accounts.models.validate_time_zone])),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'verbose_name_plural': 'companies',
                        'db_table': 'profiles_company',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='ApiToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100)),
                        ('digest', models.CharField(editable=False, max_length=64, unique=True)),
                        ('prefix', models.CharField(editable=False, max_length=8)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('last_used_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL)),
                        ('company', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to='accounts.company')),
                    ],
                    options={
                        'db_table': 'profiles_apitoken',
                    },
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('staff', 'Staff'), ('agent', 'Agent'), ('analyst', 'Analyst'), ('admin', 'Admin')], default='staff', max_length=10)),
                        ('is_default', models.BooleanField(default=False)),
                        ('test_phone', models.CharField(blank=True, default='', max_length=20)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('company', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='accounts.company')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'profiles_membership',
                        'constraints': [models.UniqueConstraint(fields=('user', 'company'), name='membership_unique_user_company')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_types_move("profiles", "accounts"),
            content_types_move("accounts", "profiles"),
            elidable=False,
        ),
    ]
