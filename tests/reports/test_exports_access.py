"""Who may start, see and download exports; another company sees nothing."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from reports.models import Export, JobStatus
from tests.factories import make_campaign, make_profile


def done_export(company, owner, name="Profiles") -> Export:
    export = Export.objects.create(
        company=company,
        requested_by=owner,
        kind=Export.Kind.PROFILES,
        name=name,
        status=JobStatus.DONE,
        progress=100,
        row_count=1,
    )
    export.results_file.save(f"profiles-{export.pk}.csv", ContentFile(b"id\r\n1\r\n"))
    return export


def download(client, export):
    return client.get(reverse("reports:export_download", args=[export.pk]))


@pytest.mark.django_db
def test_the_owner_downloads_their_export(company, dana, client_as):
    export = done_export(company, dana)
    response = download(client_as(dana), export)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"id\r\n1\r\n"
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
def test_an_admin_downloads_anyones_export(company, dana, alice, client_as):
    assert download(client_as(alice), done_export(company, dana)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["charlie", "bob"])
def test_a_staff_member_or_agent_cannot_download_another_users_export(
    company, dana, who, request, client_as
):
    user = request.getfixturevalue(who)
    export = done_export(company, dana)
    assert download(client_as(user), export).status_code == 403
    page = client_as(user).get(reverse("reports:index")).content.decode()
    assert export.name in page  # listed, but without its download link
    assert reverse("reports:export_download", args=[export.pk]) not in page


@pytest.mark.django_db
def test_an_outsider_sees_no_export_and_gets_404_for_each(company, dana, eve, client_as):
    export = done_export(company, dana, name="Acme secret list")
    client = client_as(eve)
    assert download(client, export).status_code == 404
    status_url = reverse("reports:export_status", args=[export.pk])
    assert client.get(status_url).status_code == 404
    assert "Acme secret list" not in client.get(reverse("reports:index")).content.decode()


@pytest.mark.django_db
def test_an_unfinished_export_has_no_download(company, dana, client_as):
    export = Export.objects.create(
        company=company, requested_by=dana, kind="profiles", name="x", status=JobStatus.RUNNING
    )
    assert download(client_as(dana), export).status_code == 404


@pytest.mark.django_db
def test_staff_cannot_start_an_export_and_does_not_see_the_button(company, charlie, client_as):
    client = client_as(charlie)
    response = client.post(reverse("reports:profiles_export"), {"query": ""})
    assert response.status_code == 403
    assert not Export.objects.exists()
    page = client.get(reverse("profiles:list")).content.decode()
    assert "Save as CSV" not in page


@pytest.mark.django_db
def test_analysts_and_admins_see_save_as_csv(company, dana, alice, client_as):
    for user in (dana, alice):
        assert "Save as CSV" in client_as(user).get(reverse("profiles:list")).content.decode()


@pytest.mark.django_db
def test_an_export_cannot_be_scoped_to_another_companys_campaign(
    company, other_company, eve, client_as
):
    campaign = make_campaign(company)
    response = client_as(eve).post(
        reverse("reports:profiles_export"),
        {"query": "", "scope_kind": "campaign", "scope_id": str(campaign.pk)},
    )
    assert response.status_code == 404
    assert not Export.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_outsiders_export_holds_only_their_own_companys_profiles(
    company, other_company, eve, client_as
):
    make_profile(company, first_name="Acme person")
    mine = make_profile(other_company, first_name="Other person")
    client_as(eve).post(reverse("reports:profiles_export"), {"query": ""})
    export = Export.objects.get()
    assert export.company == other_company and export.row_count == 1
    with export.results_file.open("rb") as f:
        body = f.read().decode()
    assert "Other person" in body and "Acme person" not in body
    assert f"\r\n{mine.pk}," in body


@pytest.mark.django_db
def test_the_status_row_polls_until_the_export_is_done(company, dana, client_as):
    export = Export.objects.create(
        company=company,
        requested_by=dana,
        kind="profiles",
        name="x",
        status=JobStatus.RUNNING,
        progress=40,
    )
    url = reverse("reports:export_status", args=[export.pk])
    running = client_as(dana).get(url).content.decode()
    assert 'hx-trigger="every 1s"' in running and 'data-progress="40"' in running
    Export.objects.filter(pk=export.pk).update(status=JobStatus.FAILED, error="disk full")
    failed = client_as(dana).get(url).content.decode()
    assert "hx-trigger" not in failed and "disk full" in failed


@pytest.mark.django_db
def test_a_reader_who_cannot_download_is_told_why_the_names_are_not_links(
    company, dana, charlie, client_as
):
    done_export(company, dana, name="Dana's profiles")
    html = client_as(charlie).get(reverse("reports:index")).content.decode()
    assert "Select a name to download it." not in html
    assert "export-download" not in html
    why = "Only the person who requested an export, or an Admin, can download it."
    assert html.count(why) == 2  # in the page's header and beside the export


@pytest.mark.django_db
def test_the_requester_gets_a_link_and_no_reason(company, dana, client_as):
    done_export(company, dana)
    html = client_as(dana).get(reverse("reports:index")).content.decode()
    assert 'class="export-download"' in html
    assert '<span class="export-why">' not in html
