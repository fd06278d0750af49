"""Company, Membership and ApiToken moved from profiles to accounts in Django's state only.

A database built by the migrations before the move, with rows in it, keeps every row,
every table and every foreign key constraint (none is dropped and rebuilt); the models'
content types move to accounts with the permissions attached to them.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import ApiToken, Company, Membership

# Every app's last migration before the move (accounts not yet there).
BEFORE = [
    ("profiles", "0013_profile_state_reason_index"),
    ("campaigns", "0011_opt_in_path_flows"),
    ("messaging", "0011_message_classification_pending"),
    ("inbox", "0005_conversations"),
    ("reports", "0004_inbox_waiting_read_from_conversations"),
    ("links", "0001_initial"),
    ("accounts", None),
]
TABLES = [
    "profiles_membership",
    "profiles_apitoken",
    "profiles_profile",
    "campaigns_campaign",
    "messaging_message",
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # ("accounts", None) means "not applied": the state is the other targets'.
    return executor.loader.project_state([t for t in targets if t[1]]).apps


def latest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.loader.graph.leaf_nodes()


def foreign_keys() -> dict[str, set[tuple[str, int]]]:
    """Every foreign key constraint of the moved tables and of big tables pointing at
    them, by name and oid: a constraint dropped and made again gets a new oid."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, oid FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [TABLES],
        )
        found: dict[str, set[tuple[str, int]]] = {table: set() for table in TABLES}
        for table, name, oid in cursor.fetchall():
            found[table].add((name, oid))
    return found


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    yield
    migrate(latest())


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_row_and_constraint():
    old = migrate(BEFORE)
    User = old.get_model("auth", "User")
    OldCompany = old.get_model("profiles", "Company")
    OldMembership = old.get_model("profiles", "Membership")
    OldApiToken = old.get_model("profiles", "ApiToken")
    OldProfile = old.get_model("profiles", "Profile")
    OldCampaign = old.get_model("campaigns", "Campaign")
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")

    alice = User.objects.create(username="alice")
    company = OldCompany.objects.create(name="Acme Action", key="CO-ACME", time_zone="UTC")
    membership = OldMembership.objects.create(
        user=alice, company=company, role="admin", is_default=True, test_phone="+12025550100"
    )
    token = OldApiToken.objects.create(
        company=company, user=alice, name="CRM", digest="d" * 64, prefix="sc_abcde"
    )
    profile = OldProfile.objects.create(company=company, phone_number="+12025550111")
    campaign = OldCampaign.objects.create(company=company, name="Alerts")
    company_type = ContentType.objects.get(app_label="profiles", model="company")
    permission = Permission.objects.get(content_type=company_type, codename="view_company")
    constraints = foreign_keys()
    assert all(constraints.values())

    new = migrate(latest())

    assert foreign_keys() == constraints  # the same constraints, none rebuilt
    NewCompany = new.get_model("accounts", "Company")
    assert NewCompany._meta.db_table == "profiles_company"
    assert list(NewCompany.objects.values_list("pk", "name", "key", "time_zone")) == [
        (company.pk, "Acme Action", "CO-ACME", "UTC")
    ]
    assert new.get_model("profiles", "Profile").objects.get(pk=profile.pk).company_id == company.pk
    assert new.get_model("campaigns", "Campaign").objects.get(pk=campaign.pk).company_id == (
        company.pk
    )
    # The app's own models read the same rows.
    moved = Membership.objects.select_related("company").get(pk=membership.pk)
    assert (moved.user_id, moved.company.name, moved.role, moved.test_phone) == (
        alice.pk,
        "Acme Action",
        "admin",
        "+12025550100",
    )
    assert ApiToken.objects.get(pk=token.pk).company == Company.objects.get(pk=company.pk)
    # The content type (and so the permission on it) moved; none is left behind.
    ContentType = new.get_model("contenttypes", "ContentType")
    moved_type = ContentType.objects.get(pk=company_type.pk)
    assert (moved_type.app_label, moved_type.model) == ("accounts", "company")
    assert new.get_model("auth", "Permission").objects.get(pk=permission.pk).content_type_id == (
        moved_type.pk
    )
    assert not ContentType.objects.filter(
        app_label="profiles", model__in=["company", "membership", "apitoken"]
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_the_move_is_undone_without_touching_the_tables():
    company = Company.objects.create(name="Acme Action")
    constraints = foreign_keys()

    old = migrate(BEFORE)

    assert foreign_keys() == constraints
    assert old.get_model("profiles", "Company").objects.get(pk=company.pk).name == "Acme Action"
    ContentType = old.get_model("contenttypes", "ContentType")
    assert ContentType.objects.filter(app_label="profiles", model="company").exists()
    assert not ContentType.objects.filter(app_label="accounts", model="company").exists()
