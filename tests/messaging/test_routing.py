import importlib

import pytest
from django.apps import apps
from django.db import connection

from messaging.models import Message
from messaging.routing import Unroutable, company_for_number, number_normalize
from tests.factories import make_company

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("22822", "22822"),
        (" 22 822 ", "22822"),
        ("228-22", "22822"),
        ("+1 (202) 555-0100", "+12025550100"),
        ("12025550100", "+12025550100"),
        ("(202) 555-0100", "+12025550100"),
        ("+442071838750", "+442071838750"),
        ("", ""),
        ("RENT", ""),
    ],
)
def test_a_company_number_has_one_spelling(raw, normal):
    assert number_normalize(raw) == normal


@pytest.mark.parametrize("texted", ["+12025550100", "12025550100", "(202) 555-0100"])
def test_a_long_code_is_matched_however_either_side_writes_it(texted):
    long_code = make_company("Long Code Org", short_code="202-555-0100")
    make_company("Short Code Org", short_code="50100")
    assert company_for_number(texted) == long_code


def test_a_short_code_is_matched_however_it_was_typed():
    typed = make_company("Typed Org", short_code="22 822")
    assert company_for_number("22822") == typed


def test_a_number_of_two_companies_is_refused_not_guessed():
    make_company("One", short_code="22822")
    make_company("Two", short_code="22 822")
    with pytest.raises(Unroutable, match="is the number of several companies"):
        company_for_number("22822")


@pytest.mark.parametrize("number", ["", "  ", "99999", "+12025550199", "RENT"])
def test_a_number_of_no_company_is_refused(company, number):
    with pytest.raises(Unroutable):
        company_for_number(number)


def test_existing_duplicate_ids_are_renamed_before_the_unique_constraint_is_added(
    company, other_company
):
    """The data step of migration 0003 on rows stored before the constraint existed."""
    migration = importlib.import_module(
        "messaging.migrations.0003_message_gateway_separate_duplicate_mo_ids"
    )
    constraint = next(
        c for c in Message._meta.constraints if c.name == "message_mo_once_per_gateway_id"
    )
    long_id = "L" * 100  # the same 100-character id, as the old code cut longer ones

    def mo(owner, gateway_id, body, direction="mo"):
        return Message.objects.create(
            company=owner,
            phone_number="+12025550111",
            direction=direction,
            message_type="unknown",
            body=body,
            gateway_message_id=gateway_id,
        )

    # DDL is transactional on PostgreSQL: the test's rollback puts the constraint back.
    # Checking foreign keys at once leaves no deferred check to block the index build.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Message, constraint)
    rows = [
        mo(company, "SM1", "first"),
        mo(company, "SM1", "second"),
        mo(company, "SM1", "third"),
        mo(company, "SM1#dup1", "already named like a copy"),
        mo(other_company, "SM1", "another company's"),
        mo(company, long_id, "long first"),
        mo(company, long_id, "long second"),
        mo(company, "", "no id"),
        mo(company, "", "no id either"),
        mo(company, "SM1", "an outgoing message", direction="mt"),
    ]
    migration.separate_duplicate_mo_ids(apps, None)
    with connection.schema_editor() as editor:
        editor.add_constraint(Message, constraint)

    stored = dict(
        Message.objects.filter(pk__in=[r.pk for r in rows]).values_list(
            "body", "gateway_message_id"
        )
    )
    assert stored == {
        "first": "SM1",
        "second": "SM1#dup2",
        "third": "SM1#dup3",
        "already named like a copy": "SM1#dup1",
        "another company's": "SM1",
        "long first": long_id,
        "long second": "L" * 95 + "#dup1",
        "no id": "",
        "no id either": "",
        "an outgoing message": "SM1",
    }
    gateways = Message.objects.filter(direction="mo").exclude(gateway_message_id="")
    assert set(gateways.values_list("gateway", flat=True)) == {"generic"}
    assert Message.objects.count() == len(rows)  # no message lost
