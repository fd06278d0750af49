"""Save as CSV: the profiles export's file, written by the Celery task path."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from core.csv_safe import csv_cell
from profiles.models import CustomField, CustomFieldValue, Profile, SourceType
from reports.exports import export_type_for
from reports.exports.profiles import HEADERS, profiles_export_config
from reports.exports.sql import CsvSafe
from reports.exports.writer import _copy_rows, write_csv
from reports.models import Export, JobStatus
from reports.services import export_create
from tests.factories import make_campaign, make_profile, make_subscription
from tests.profiles.table_fixtures import make_table_profiles
from tests.reports.csv_oracle import python_rows

SEED_HEADER = [
    "id",
    "phone_number",
    "email",
    "first_name",
    "last_name",
    "status",
    "description",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
    "congressional_district",
    "state_upper_district",
    "state_lower_district",
    "split_district",
    "latitude",
    "longitude",
    "precision",
    "geocoded_city",
    "geocoded_state",
    "geocoded_postal_code",
    "geocoded_country",
    "carrier_name",
    "created_at",
    "source_type",
    "source_name",
    "opted_out_at",
    "opted_out_source",
]

HOSTILE = ["=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x","y")']


def run_export(company, user, query: str = "", scope=None) -> Export:
    export = export_create(
        company=company,
        requested_by=user,
        kind=Export.Kind.PROFILES,
        name="Profiles",
        config=profiles_export_config(query=query, scope=scope),
    )
    export.refresh_from_db()
    return export


def read_csv(export: Export) -> tuple[bytes, list[list[str]]]:
    with export.results_file.open("rb") as f:
        data = f.read()
    return data, list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_the_header_is_the_seeds_thirty_columns_in_order():
    assert HEADERS == SEED_HEADER


@pytest.mark.django_db(transaction=True)
def test_a_profile_is_written_with_exact_values_and_custom_fields_by_name(company, dana):
    profile = make_profile(
        company,
        "+12025551234",
        email="ana@example.org",
        first_name='Ana, "Jr"',
        last_name="López",
        street1="1600 Pennsylvania Ave NW",
        city="Washington",
        state="DC",
        postal_code="20500",
        congressional_district="DC-AL",
        split_district=True,
        latitude=Decimal("38.897700"),
        longitude=Decimal("-77.036500"),
        precision="Rooftop",
        source_type=SourceType.UPLOADED_GROUP,
        source_name="Spring list.csv",
        created_at=datetime(2024, 5, 1, 13, 4, 5, tzinfo=UTC),
    )
    zodiac = CustomField.objects.create(company=company, name="zodiac")
    age = CustomField.objects.create(company=company, name="Age", field_type="age")
    CustomFieldValue.objects.create(profile=profile, field=zodiac, value="Leo\nrising")
    CustomFieldValue.objects.create(profile=profile, field=age, value="34")

    export = run_export(company, dana)

    assert export.status == JobStatus.DONE, export.error
    assert export.row_count == 1 and export.progress == 100
    data, rows = read_csv(export)
    assert rows[0] == SEED_HEADER + ["Age", "zodiac"]
    assert data.startswith(b"id,phone_number,") and data.endswith(b"\r\n")
    assert data.count(b"\r\n") == 2  # header and one record; the "\n" inside a cell stays
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row == {
        **dict.fromkeys(SEED_HEADER, ""),
        "id": str(profile.pk),
        "phone_number": "12025551234",
        "email": "ana@example.org",
        "first_name": 'Ana, "Jr"',
        "last_name": "López",
        "status": "No Subscriptions",
        "street1": "1600 Pennsylvania Ave NW",
        "city": "Washington",
        "state": "DC",
        "postal_code": "20500",
        "country": "US",
        "congressional_district": "DC-AL",
        "split_district": "Yes",
        "latitude": "38.897700",
        "longitude": "-77.036500",
        "precision": "Rooftop",
        "carrier_name": profile.carrier_name,
        "created_at": "2024-05-01 13:04:05 UTC",
        "source_type": "Uploaded group",
        "source_name": "Spring list.csv",
        "Age": "34",
        "zodiac": "Leo\nrising",
    }


@pytest.mark.django_db(transaction=True)
def test_no_cell_can_run_as_a_spreadsheet_formula(company, dana):
    field = CustomField.objects.create(company=company, name="=cmd|' /C calc'!A0")
    for i, hostile in enumerate(HOSTILE):
        profile = make_profile(company, first_name=hostile, last_name=f"n{i}", city=hostile)
        CustomFieldValue.objects.create(profile=profile, field=field, value=hostile)

    export = run_export(company, dana)

    _, rows = read_csv(export)
    assert rows[0][-1] == "'=cmd|' /C calc'!A0"  # a hostile custom field name, too
    by_last = {r[4]: r for r in rows[1:]}
    for i, hostile in enumerate(HOSTILE):
        row = by_last[f"n{i}"]
        assert row[3] == "'" + hostile  # first_name
        assert row[9] == "'" + hostile  # city
        assert row[-1] == "'" + hostile  # custom field value
    for row in rows[1:]:
        for header, cell in zip(rows[0], row, strict=True):
            if header not in ("latitude", "longitude"):  # numbers are data, even negative
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (header, cell)


@pytest.mark.django_db
@pytest.mark.parametrize("value", [*HOSTILE, "", "plain", "'quoted", "a=b", " =x", "ünï"])
def test_the_sql_rule_gives_the_same_cell_as_csv_cell(company, value):
    profile = make_profile(company, first_name=value)
    got = (
        Profile.objects.filter(pk=profile.pk)
        .annotate(safe=CsvSafe("first_name"))
        .values_list("safe", flat=True)
        .get()
    )
    assert (got or "") == csv_cell(value)


@pytest.mark.django_db(transaction=True)
def test_the_export_holds_exactly_the_rows_the_table_shows(company, other_company, dana):
    world = make_table_profiles(company)
    make_table_profiles(other_company)
    export = run_export(company, dana, query="q=lopez&subscription_status=undeliverable_stop")
    _, rows = read_csv(export)
    assert [r[3] for r in rows[1:]] == ["Mia"]
    assert rows[1][0] == str(world.profiles["stop_all"].pk)

    everything = run_export(company, dana, query="sort=created_at")
    _, rows = read_csv(everything)
    expected = Profile.objects.for_company(company).order_by("created_at", "id")
    assert [int(r[0]) for r in rows[1:]] == [p.pk for p in expected]


@pytest.mark.django_db(transaction=True)
def test_a_campaign_export_adds_cleaned_before_the_custom_fields(company, dana):
    from profiles.selectors import ProfileScope

    world = make_table_profiles(company)
    CustomField.objects.create(company=company, name="Team")
    scope = ProfileScope.for_object("campaign", world.campaign)
    export = run_export(company, dana, scope=scope)
    _, rows = read_csv(export)
    assert rows[0] == SEED_HEADER + ["Cleaned?", "Team"]
    cleaned = {r[3]: r[30] for r in rows[1:]}
    assert cleaned["Gus"] == "Yes" and cleaned["Ana"] == "No"
    assert set(cleaned) == {"Ana", "Dev", "Gus", "Hana", "Ivo", "Kai", "Mia"}


@pytest.mark.django_db(transaction=True)
def test_copy_and_the_python_writer_write_the_same_bytes(company, dana):
    world = make_table_profiles(company)
    field = CustomField.objects.create(company=company, name="Note")
    CustomFieldValue.objects.create(profile=world.profiles["active"], field=field, value="-5")
    make_profile(company, first_name="=evil", street2='say "hi", bye\r\nnow')
    export = Export.objects.create(company=company, kind="profiles", name="x", config={})
    export_type = export_type_for(export.kind)
    rows = export_type.rows(export)
    via_copy, via_python = io.BytesIO(), io.BytesIO()
    assert _copy_rows(rows, via_copy, lambda n: None, 1000) == python_rows(
        rows, via_python, lambda n: None, 1000
    )
    assert via_copy.getvalue() == via_python.getvalue()
    assert b"'=evil" in via_copy.getvalue()


@pytest.mark.django_db(transaction=True)
def test_progress_is_reported_while_rows_stream(company, dana):
    for _ in range(25):
        make_profile(company)
    export = Export.objects.create(company=company, kind="profiles", name="x", config={})
    export_type = export_type_for(export.kind)
    seen: list[int] = []
    written = write_csv(
        header=export_type.header(export),
        rows=export_type.rows(export),
        out=io.BytesIO(),
        on_progress=seen.append,
        every=10,
    )
    assert written == 25 and seen == [10, 20]


@pytest.mark.django_db
def test_inside_a_transaction_the_export_reads_uncommitted_rows_on_the_same_connection(
    company, dana
):
    make_profile(company, first_name="Fresh")
    export = Export.objects.create(company=company, kind="profiles", name="x", config={})
    export_type = export_type_for(export.kind)
    out = io.BytesIO()
    assert connection.in_atomic_block
    write_csv(
        header=export_type.header(export),
        rows=export_type.rows(export),
        out=out,
        on_progress=lambda n: None,
    )
    assert b"Fresh" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_save_as_csv_queues_the_export_and_lists_it_on_the_reports_page(company, dana, client_as):
    campaign = make_campaign(company)
    make_subscription(make_profile(company, first_name="Ana"), campaign)
    make_profile(company, first_name="Bo")
    response = client_as(dana).post(
        reverse("reports:profiles_export"),
        {
            "query": "q=ana&page=3&per_page=50&evil=1",
            "scope_kind": "campaign",
            "scope_id": str(campaign.pk),
        },
    )
    assert response.status_code == 302 and response.url == reverse("reports:index")
    export = Export.objects.get()
    assert export.config == {"query": "q=ana", "scope": {"kind": "campaign", "id": campaign.pk}}
    assert export.requested_by == dana and export.status == JobStatus.DONE
    assert export.row_count == 1
    page = client_as(dana).get(reverse("reports:index")).content.decode()
    assert export.name in page and "Campaign: Action Alerts" in export.name
    assert reverse("reports:export_download", args=[export.pk]) in page
