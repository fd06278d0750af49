"""Company roles grant nothing in the Django admin.

A company role lives on `Membership.role` and is checked by `accounts.tenancy`
(`ROLE_PERMS`, `require_perm`); it never needs `is_staff`, a Django group or a model
permission. The Django admin is not scoped by company, so it is for superusers only
(`config.admin_site`). This is the rule's repair for users given admin access by older
versions (the same as the profiles migration
`company_roles_leave_django_admin` did once); memberships and roles stay.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .models import Role

# Older versions made one Django group per role holding model permissions.
ROLE_GROUP_NAMES = [label for _, label in Role.choices]


@dataclass(frozen=True)
class AdminAccessRevoked:
    users: int  # non-superusers whose is_staff was removed
    groups: int  # role groups whose model permissions were removed


@transaction.atomic
def company_roles_admin_access_revoke() -> AdminAccessRevoked:
    users = (
        get_user_model().objects.filter(is_staff=True, is_superuser=False).update(is_staff=False)
    )
    groups = 0
    for group in Group.objects.filter(name__in=ROLE_GROUP_NAMES).prefetch_related("permissions"):
        if group.permissions.all():
            group.permissions.clear()
            groups += 1
    return AdminAccessRevoked(users=users, groups=groups)
