import pytest

from campaigns.models import Broadcast, Campaign, Keyword
from profiles.models import Group
from tests.factories import make_campaign, make_opt_in_path, make_profile, make_subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(company):
    campaign = make_campaign(company, "Action Alerts")
    for _ in range(3):
        make_subscription(make_profile(company), campaign)
    make_subscription(make_profile(company), campaign, status="Opted-Out")
    return campaign


def test_every_role_sees_campaigns_and_their_counts(campaign, charlie, client_as):
    assert client_as(charlie).get("/campaigns/").status_code == 200
    page = client_as(charlie).get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'id="active-count">3<' in page
    assert f"/profiles/campaign/{campaign.pk}/" in page


def test_only_admins_set_up_campaigns_and_keywords(campaign, alice, bob, client_as):
    data = {"name": "New", "timezone": "America/Chicago", "tags": "gotv, 2026"}
    assert client_as(bob).post("/campaigns/new/", data).status_code == 403
    assert client_as(alice).post("/campaigns/new/", data).status_code == 302
    created = Campaign.objects.get(name="New")
    assert sorted(t.name for t in created.tags.all()) == ["2026", "gotv"]
    path = make_opt_in_path(campaign)
    url = f"/campaigns/{campaign.pk}/keywords/"
    assert client_as(bob).post(url, {"name": "vote", "opt_in_path": path.pk}).status_code == 403
    client_as(alice).post(url, {"name": "vote", "opt_in_path": path.pk})
    assert Keyword.objects.get(opt_in_path=path).name == "VOTE"
    client_as(alice).post(f"/campaigns/{campaign.pk}/end/")
    campaign.refresh_from_db()
    assert not campaign.active
    assert not Keyword.objects.get(opt_in_path=path).active


def test_another_companys_campaign_broadcast_and_group_are_not_found(
    campaign, company, eve, client_as
):
    group = Group.objects.create(company=company, name="Ours")
    broadcast = Broadcast.objects.create(company=company, campaign=campaign, name="B", body="x")
    for url in (
        f"/campaigns/{campaign.pk}/",
        f"/campaigns/{campaign.pk}/broadcasts/new/",
        f"/campaigns/broadcasts/{broadcast.pk}/",
        f"/campaigns/groups/{group.pk}/",
    ):
        assert client_as(eve).get(url).status_code == 404, url


def test_composing_needs_the_broadcast_permission(campaign, bob, client_as):
    assert client_as(bob).get(f"/campaigns/{campaign.pk}/broadcasts/new/").status_code == 403
    data = {"body": "Hi", "include_subscribers": "on", "send": "now"}
    response = client_as(bob).post(f"/campaigns/{campaign.pk}/broadcasts/new/", data)
    assert response.status_code == 403
    assert not Broadcast.objects.exists()


def test_the_estimate_panel_counts_the_chosen_audience(campaign, company, alice, client_as):
    quiet = Group.objects.create(company=company, name="Quiet")
    quiet.members.add(campaign.subscriptions.filter(status="Active").first().profile)
    response = client_as(alice).post(
        f"/campaigns/{campaign.pk}/broadcasts/estimate/",
        {"include_subscribers": "on", "excluded_groups": [quiet.pk]},
    )
    assert 'id="estimate-recipients">2<' in response.content.decode()


def test_a_broadcast_scheduled_from_the_form_uses_the_campaign_time_zone(
    campaign, alice, client_as
):
    data = {
        "body": "Polls open at 7",
        "include_subscribers": "on",
        "send": "later",
        "delivery_time": "2099-11-03T09:30",
    }
    url = f"/campaigns/{campaign.pk}/broadcasts/new/"
    # The first press asks (nothing saved yet); the confirmation schedules.
    assert client_as(alice).post(url, data).status_code == 200
    assert not Broadcast.objects.exists()
    response = client_as(alice).post(url, {**data, "confirmed": "1"})
    assert response.status_code == 302
    broadcast = Broadcast.objects.get()
    assert broadcast.status == Broadcast.Status.SCHEDULED
    # 09:30 in New York (EST, UTC-5) is 14:30 UTC.
    assert broadcast.delivery_time.isoformat() == "2099-11-03T14:30:00+00:00"
    assert broadcast.estimated_recipients_count == 3
    client_as(alice).post(f"/campaigns/broadcasts/{broadcast.pk}/unschedule/")
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.DRAFT


def test_groups_are_managed_by_admins_and_seen_by_everyone(company, alice, charlie, client_as):
    data = {"name": "Volunteers", "kind": "UploadedGroup"}
    assert client_as(charlie).post("/campaigns/groups/new/", data).status_code == 403
    assert client_as(alice).post("/campaigns/groups/new/", data).status_code == 302
    group = Group.objects.get(name="Volunteers")
    url = f"/campaigns/groups/{group.pk}/members/add/"
    assert client_as(charlie).post(url, {"numbers": "2025550177"}).status_code == 403
    client_as(alice).post(url, {"numbers": "2025550177\nnonsense"})
    page = client_as(charlie).get(f"/campaigns/groups/{group.pk}/").content.decode()
    assert "+12025550177" in page
    filtered = {"name": "Search", "kind": "FilteredGroup", "query": "/profiles/?q=Rosa&page=3"}
    client_as(alice).post("/campaigns/groups/new/", filtered)
    assert Group.objects.get(name="Search").filter_params == {"q": "Rosa"}


def test_a_csv_file_is_added_by_a_worker_and_the_group_page_shows_its_outcomes(
    company, other_company, alice, charlie, eve, client_as, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaigns.models import GroupUpload

    group = Group.objects.create(company=company, name="Walkers")
    url = f"/campaigns/groups/{group.pk}/members/add/"
    csv = SimpleUploadedFile("walkers.csv", b"phone\n2025550188\nnot a phone\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(alice).post(url, {"file": csv})
    assert response.status_code == 302
    upload = GroupUpload.objects.get(group=group)
    assert (upload.status, upload.created_count, upload.invalid_count) == ("done", 1, 1)
    page = client_as(charlie).get(f"/campaigns/groups/{group.pk}/").content.decode()
    assert "walkers.csv" in page and "+12025550188" in page
    # The outcomes name every number of the list: only who may manage groups gets them.
    assert "Download per-row outcomes" not in page
    results_url = f"/campaigns/groups/{group.pk}/uploads/{upload.pk}/results.csv"
    assert client_as(charlie).get(results_url).status_code == 403
    admin_page = client_as(alice).get(f"/campaigns/groups/{group.pk}/").content.decode()
    assert "Download per-row outcomes" in admin_page
    results = client_as(alice).get(results_url)
    assert b"Added (new profile)" in b"".join(results.streaming_content)
    partial = client_as(charlie).get(
        f"/campaigns/groups/{group.pk}/uploads/{upload.pk}/", HTTP_HX_REQUEST="true"
    )
    assert b"Rows read" in partial.content and b"<html" not in partial.content
    assert (
        client_as(eve).get(f"/campaigns/groups/{group.pk}/uploads/{upload.pk}/").status_code == 404
    )


def test_a_file_that_is_not_csv_is_refused_at_once_and_nothing_is_queued(company, alice, client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaigns.models import GroupUpload

    sheet = SimpleUploadedFile("people.xlsx", b"PK\x03\x04binary")
    response = client_as(alice).post(
        "/campaigns/groups/new/", {"name": "Sheet", "kind": "UploadedGroup", "file": sheet}
    )
    assert response.status_code == 400
    assert "not a CSV" in response.content.decode()
    assert not Group.objects.filter(name="Sheet").exists()
    assert not GroupUpload.objects.exists()


@pytest.mark.django_db
def test_a_broadcast_row_shows_its_status_time_and_counts_on_both_lists(
    campaign, company, charlie, client_as
):
    import datetime as dt

    sent = Broadcast.objects.create(
        company=company,
        campaign=campaign,
        name="<Rally>",
        body="Polls open at 7 & close at 8. " * 5,
        status=Broadcast.Status.SENT,
        delivery_time=dt.datetime(2026, 7, 4, 16, 5, tzinfo=dt.UTC),
        recipients_count=120,
        sent_count=118,
        replies_count=9,
        opt_outs_count=2,
    )
    draft = Broadcast.objects.create(
        company=company, campaign=campaign, name="Draft", body="Hi", estimated_recipients_count=40
    )
    client = client_as(charlie)
    listed = client.get("/campaigns/broadcasts/").content.decode()
    assert (
        f'<tr><td><a href="/campaigns/broadcasts/{sent.pk}/">&lt;Rally&gt;</a>'
        '<div class="muted small">Polls open at 7 &amp; close at 8. Polls open at 7 &amp; '
        "close at 8. Polls ope…</div></td>"
        f'<td><a href="/campaigns/{campaign.pk}/">Action Alerts</a></td>'
        '<td><span class="badge badge-green">Sent</span></td><td>4 Jul 2026, 12:05 EDT</td>'
        "<td>120</td><td>118</td><td>9</td><td>2</td></tr>"
    ) in listed
    assert '<span class="badge ">Draft</span></td><td>—</td>' in listed
    assert '<span class="muted" title="Estimated">~40</span>' in listed
    # The campaign's own page lists the same rows without the campaign column.
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f'<tr><td><a href="/campaigns/broadcasts/{draft.pk}/">Draft</a>' in page
    assert f'<td><a href="/campaigns/{campaign.pk}/">Action Alerts</a></td>' not in page
