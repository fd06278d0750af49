"""Manual Opt-Out asks with the count and the scope, and keeps numbers without a
profile on the suppression list so that nothing later can text them."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from campaigns.group_uploads import group_upload_apply
from campaigns.groups import Outcome, group_add_members, group_create
from campaigns.models import Subscription
from core.phones import phone_digest
from inbox.bulk import Outcome as OptOutOutcome
from inbox.bulk import bulk_opt_out_apply, bulk_opt_out_run
from inbox.models import BulkOptOut
from messaging.models import Message
from profiles.creation import SUPPRESSED_DETAIL
from profiles.models import Profile, Suppression
from profiles.suppressions import MANUAL_OPT_OUT_WITHOUT_PROFILE
from tests.factories import (
    make_campaign,
    make_opt_in_path,
    make_profile,
    make_subscription,
    receive_text,
)

pytestmark = pytest.mark.django_db
UNKNOWN = "+12025550199"


@pytest.fixture
def alerts(company):
    campaign = make_campaign(company, "Alerts")
    for suffix in ("0101", "0102"):
        make_subscription(make_profile(company, f"+1202555{suffix}"), campaign)
    return campaign


def _upload(client, **data):
    return client.post(reverse("inbox:bulk_opt_out"), data)


def test_the_opt_out_asks_with_the_count_and_the_company_scope_before_changing_anything(
    client_as, alice, company, alerts
):
    client = client_as(alice)
    numbers = "phone\n202-555-0101\n(202) 555-0101\n202-555-0102\n202-555-0199\n"
    response = _upload(client, numbers=numbers)
    bulk = BulkOptOut.objects.get()
    assert bulk.status == BulkOptOut.Status.CONFIRMING
    page = client.get(response.url).content.decode()
    assert "Opt 3 numbers out of <strong>all campaigns of Acme Action</strong>?" in page
    assert "suppression list" in page
    # Nothing ran: still subscribed, nothing suppressed; the status page sends back here.
    assert Subscription.objects.filter(campaign=alerts, status="Active").count() == 2
    assert not Suppression.objects.exists()
    detail = client.get(reverse("inbox:bulk_opt_out_detail", args=[bulk.pk]))
    assert detail.url == response.url
    assert bulk_opt_out_run(bulk_id=bulk.pk) == {"skipped": 1}


def test_a_campaign_opt_out_names_the_campaign(client_as, alice, alerts):
    client = client_as(alice)
    response = _upload(client, campaign=alerts.pk, numbers="phone\n202-555-0101\n")
    assert (
        "Opt 1 number out of <strong>Alerts</strong>?" in client.get(response.url).content.decode()
    )


def test_confirming_runs_the_list_once(
    client_as, alice, alerts, django_capture_on_commit_callbacks
):
    client = client_as(alice)
    url = _upload(client, numbers="phone\n202-555-0101\n").url
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url, {"confirmed": "1"})
        client.post(url, {"confirmed": "1"})  # a second press queues nothing more
    assert len(callbacks) == 1
    bulk = BulkOptOut.objects.get()
    assert (bulk.status, bulk.opted_out_count) == ("done", 1)


def test_a_discarded_list_changes_nothing(client_as, alice, alerts):
    client = client_as(alice)
    url = _upload(client, numbers="phone\n202-555-0101\n").url
    assert client.post(url, {"discard": "1"}).url == reverse("inbox:bulk_opt_out")
    assert not BulkOptOut.objects.exists()
    assert Subscription.objects.filter(campaign=alerts, status="Active").count() == 2


def test_only_admins_confirm_an_opt_out(client_as, alice, bob, company, alerts):
    url = _upload(client_as(alice), numbers="phone\n202-555-0101\n").url
    assert client_as(bob).get(url).status_code == 403
    assert client_as(bob).post(url, {"confirmed": "1"}).status_code == 403
    assert BulkOptOut.objects.get().status == BulkOptOut.Status.CONFIRMING


def test_a_number_without_a_profile_is_kept_on_the_suppression_list(company, alerts, alice):
    result = bulk_opt_out_apply(
        company_id=company.pk, source=f"phone\n{UNKNOWN}\n202-555-0101\n", actor_id=alice.pk
    )
    row = result.rows[0]
    assert (row.outcome, row.detail) == (
        OptOutOutcome.NO_PROFILE,
        "no profile: kept on the suppression list",
    )
    suppression = Suppression.objects.get(company=company)
    assert suppression.phone_digest == phone_digest(UNKNOWN)
    assert suppression.reason == MANUAL_OPT_OUT_WITHOUT_PROFILE
    assert suppression.created_by == alice
    assert not Profile.objects.filter(phone_number=UNKNOWN).exists()
    # Running the list again adds nothing twice.
    bulk_opt_out_apply(company_id=company.pk, source=f"phone\n{UNKNOWN}\n")
    assert Suppression.objects.count() == 1


def test_a_suppressed_number_texting_a_keyword_is_not_subscribed_and_gets_no_welcome(
    company, alerts
):
    path = make_opt_in_path(alerts, "Join", keyword="JOIN")
    path.welcome_message = "Welcome to Alerts!"
    path.save()
    bulk_opt_out_apply(company_id=company.pk, source=f"phone\n{UNKNOWN}\n")
    result = receive_text(company, UNKNOWN, "JOIN")
    assert not Subscription.objects.filter(profile__phone_number=UNKNOWN).exists()
    assert not result.replies
    assert not Message.objects.filter(phone_number=UNKNOWN, direction="mt").exists()


def test_a_later_group_upload_or_typed_number_refuses_a_suppressed_number(company, alerts):
    bulk_opt_out_apply(company_id=company.pk, source=f"phone\n{UNKNOWN}\n")
    group = group_create(company=company, name="Volunteers")
    rows = group_upload_apply(group=group, source=f"phone\n{UNKNOWN}\n2025550101\n".encode())
    assert [(r.outcome, r.detail) for r in rows] == [
        (Outcome.ERASED, SUPPRESSED_DETAIL),
        (Outcome.ADDED, ""),
    ]
    change = group_add_members(group=group, phone_numbers=[UNKNOWN])
    assert [(r.outcome, r.detail) for r in change.rows] == [(Outcome.ERASED, SUPPRESSED_DETAIL)]
    assert not Profile.objects.filter(phone_number=UNKNOWN).exists()
    assert group.memberships.count() == 1


def test_the_results_page_lists_the_suppressed_rows(
    client_as, alice, company, alerts, django_capture_on_commit_callbacks
):
    client = client_as(alice)
    bulk = BulkOptOut(company=company, uploaded_by=alice, source_name="list.csv")
    bulk.source_file.save("opt-out.csv", ContentFile(f"phone\n{UNKNOWN}\n".encode()))
    bulk_opt_out_run(bulk_id=bulk.pk)
    page = client.get(reverse("inbox:bulk_opt_out_detail", args=[bulk.pk])).content.decode()
    assert "no profile: kept on the suppression list" in page
