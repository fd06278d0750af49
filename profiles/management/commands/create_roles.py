from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

from profiles.models import Role

# Django-admin permissions that go with each product role. What a role may do in the
# product itself is profiles.tenancy.ROLE_PERMS; these groups let Admins use the
# Django admin for the same objects.
APPS = ["profiles", "campaigns", "messaging", "inbox", "reports"]
ROLE_ACTIONS = {
    Role.STAFF: ["view"],
    Role.AGENT: ["view"],
    Role.ANALYST: ["view"],
    Role.ADMIN: ["view", "add", "change", "delete"],
}


class Command(BaseCommand):
    help = "Create (or bring up to date) the Staff, Agent, Analyst and Admin groups."

    def handle(self, *args, **options) -> None:
        for role, actions in ROLE_ACTIONS.items():
            group, created = Group.objects.get_or_create(name=role.label)
            perms = Permission.objects.filter(
                content_type__app_label__in=APPS, codename__regex=rf"^({'|'.join(actions)})_"
            )
            group.permissions.set(perms)
            verb = "created" if created else "updated"
            self.stdout.write(f"{role.label}: {verb} with {perms.count()} permissions")
