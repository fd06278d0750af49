"""Move the status and opt-out columns into their own narrow table (ProfileState).

Copies every profile's values across, then installs the trigger that gives every
profile inserted from now on its state row, however it is inserted.
"""

import django.db.models.deletion
from django.db import migrations, models


COLUMNS = "status, status_description, opted_out_globally, opted_out_at, opted_out_source"

POSTGRES_TRIGGER = """
CREATE FUNCTION profiles_profile_standing_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- ON CONFLICT: a loader may write the state rows itself, before the profiles.
    INSERT INTO profiles_profilestate (profile_id, status, status_description,
        opted_out_globally, opted_out_at, opted_out_source, updated_at)
    SELECT id, 'No Subscriptions', '', false, NULL, '', NULL FROM inserted
    ON CONFLICT (profile_id) DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER profiles_profile_standing AFTER INSERT ON profiles_profile
REFERENCING NEW TABLE AS inserted
FOR EACH STATEMENT EXECUTE FUNCTION profiles_profile_standing_insert();
"""

def copy_to_state(apps, schema_editor):
    schema_editor.execute(
        f"INSERT INTO profiles_profilestate (profile_id, {COLUMNS}) "
        f"SELECT id, {COLUMNS} FROM profiles_profile"
    )


def copy_back(apps, schema_editor):
    assignments = ", ".join(f"{c} = s.{c}" for c in COLUMNS.split(", "))
    schema_editor.execute(
        f"UPDATE profiles_profile SET {assignments} "
        "FROM profiles_profilestate s WHERE s.profile_id = profiles_profile.id"
    )


def create_trigger(apps, schema_editor):
    schema_editor.execute(POSTGRES_TRIGGER)


def drop_trigger(apps, schema_editor):
    schema_editor.execute("DROP TRIGGER IF EXISTS profiles_profile_standing ON profiles_profile")
    schema_editor.execute("DROP FUNCTION IF EXISTS profiles_profile_standing_insert()")


class Migration(migrations.Migration):

    dependencies = [
        ('profiles', '0005_contact_fields'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProfileState',
            fields=[
                ('profile', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='standing', serialize=False, to='profiles.profile')),
                ('status', models.CharField(choices=[('Active Subscriber', 'Active'), ('Former Subscriber', 'Former'), ('No Subscriptions', 'None'), ('Opted Out', 'Opted Out'), ('Undeliverable', 'Undeliverable'), ('Synced', 'Synced'), ('Invalid Profile Data', 'Invalid')], default='No Subscriptions', max_length=30)),
                ('status_description', models.CharField(blank=True, default='', max_length=200)),
                ('opted_out_globally', models.BooleanField(default=False)),
                ('opted_out_at', models.DateTimeField(blank=True, null=True)),
                ('opted_out_source', models.CharField(blank=True, choices=[('Texted a STOP word', 'Stop Word'), ('Hard bounce', 'Hard Bounce'), ('Soft bounce', 'Soft Bounce'), ('Opt-out from profile', 'Profile'), ('Opt-out from Inbox', 'Inbox'), ('Phone was deactivated', 'Deactivated'), ('Manual opt-out', 'Manual'), ('Blacklisted', 'Blacklisted'), ('Opt-out from API', 'Api'), ('Erased (GDPR)', 'Erased')], default='', max_length=40)),
                ('updated_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(copy_to_state, copy_back),
        migrations.RunPython(create_trigger, drop_trigger),
        migrations.RemoveIndex(
            model_name='profile',
            name='profile_status',
        ),
        migrations.RemoveIndex(
            model_name='profile',
            name='profile_status_description',
        ),
        migrations.RemoveField(
            model_name='profile',
            name='opted_out_at',
        ),
        migrations.RemoveField(
            model_name='profile',
            name='opted_out_globally',
        ),
        migrations.RemoveField(
            model_name='profile',
            name='opted_out_source',
        ),
        migrations.RemoveField(
            model_name='profile',
            name='status',
        ),
        migrations.RemoveField(
            model_name='profile',
            name='status_description',
        ),
        migrations.AddIndex(
            model_name='profilestate',
            index=models.Index(fields=['status'], name='profile_state_status'),
        ),
        migrations.AddIndex(
            model_name='profilestate',
            index=models.Index(fields=['status_description'], name='profile_state_description'),
        ),
    ]
