"""Company roles grant nothing in the Django admin (it is for superusers only).

Older versions made company Admins `is_staff` and kept one Django group per role with
model permissions. This removes `is_staff` from every non-superuser and the model
permissions from those groups. Memberships and their roles (what the product checks)
are untouched, as are the groups and who is in them.
"""

from django.conf import settings
from django.db import migrations

ROLE_GROUP_NAMES = ["Staff", "Agent", "Analyst", "Admin"]


def revoke_admin_access(apps, schema_editor):
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    group_model = apps.get_model("auth", "Group")
    user_model.objects.filter(is_staff=True, is_superuser=False).update(is_staff=False)
    for group in group_model.objects.filter(name__in=ROLE_GROUP_NAMES):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0006_profile_state"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # Going back cannot know who was staff before; it leaves users as they are.
    operations = [migrations.RunPython(revoke_admin_access, migrations.RunPython.noop)]
