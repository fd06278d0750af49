from django.core.management.base import BaseCommand

from accounts.admin_access import company_roles_admin_access_revoke
from accounts.models import Role
from accounts.tenancy import ROLE_PERMS


class Command(BaseCommand):
    # Roles once were Django groups with admin permissions; deploy scripts still call
    # this command, so it now checks the rule that replaced them.
    help = (
        "Check the company roles: they live on memberships (Staff, Agent, Analyst, Admin) "
        "and grant nothing in the Django admin. Removes is_staff from non-superusers and "
        "model permissions from the old role groups; memberships stay."
    )

    def handle(self, *args, **options) -> None:
        revoked = company_roles_admin_access_revoke()
        for role, perms in ROLE_PERMS.items():
            self.stdout.write(f"{Role(role).label}: {', '.join(sorted(perms))}")
        self.stdout.write(
            f"Django admin: superusers only ({revoked.users} user(s) lost is_staff, "
            f"{revoked.groups} role group(s) lost their model permissions)"
        )
