"""Migration 0007 takes the Django admin from users older versions made staff."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("profiles", "0006_profile_state")]
AFTER = [("profiles", "0007_company_roles_leave_django_admin")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    """Later tests need every migration applied, including those after 0007."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_takes_admin_access_from_an_existing_staff_admin():
    old = migrate(BEFORE)
    User = old.get_model("auth", "User")
    Group = old.get_model("auth", "Group")
    Permission = old.get_model("auth", "Permission")
    Company = old.get_model("profiles", "Company")
    Membership = old.get_model("profiles", "Membership")
    company = Company.objects.create(name="Acme Action", key="acme-key")
    role_group = Group.objects.create(name="Admin")
    role_group.permissions.set(Permission.objects.all())
    other_group = Group.objects.create(name="Auditors")  # not a role group: left alone
    other_group.permissions.set(Permission.objects.filter(codename__startswith="view_"))
    admin = User.objects.create(username="alice", is_staff=True)
    admin.groups.add(role_group)
    Membership.objects.create(user=admin, company=company, role="admin", is_default=True)
    operator = User.objects.create(username="root", is_staff=True, is_superuser=True)

    new = migrate(AFTER)

    User = new.get_model("auth", "User")
    Group = new.get_model("auth", "Group")
    Membership = new.get_model("profiles", "Membership")
    admin = User.objects.get(pk=admin.pk)
    assert not admin.is_staff
    assert not Group.objects.get(name="Admin").permissions.exists()
    assert Group.objects.get(name="Auditors").permissions.exists()
    membership = Membership.objects.get(user_id=admin.pk)
    assert (membership.company_id, membership.role) == (company.pk, "admin")  # nothing lost
    assert admin.groups.filter(name="Admin").exists()
    assert User.objects.get(pk=operator.pk).is_staff  # operators keep the admin
