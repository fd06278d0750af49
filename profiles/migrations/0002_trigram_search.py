"""Trigram GIN indexes for the profiles table's substring search.

`icontains` becomes `UPPER(col) LIKE UPPER('%term%')`, so the indexes are on
UPPER(col) with gin_trgm_ops.
"""

from django.db import migrations

COLUMNS = ["first_name", "last_name", "email", "phone_number"]


def forwards(apps, schema_editor):
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS profile_{column}_trgm ON profiles_profile "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS profile_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
