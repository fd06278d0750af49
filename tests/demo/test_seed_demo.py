from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Q

from accounts.models import Company
from campaigns.models import Broadcast, Campaign, Donation, Keyword, Subscription
from core.phones import phone_normalize
from demo.catalog import DEMO_COMPANY, SECOND_COMPANY
from demo.rows import TABLES
from demo.seed import demo_seed, second_company_size
from messaging.models import Message, MOType, MTType
from profiles.custom_fields import custom_value_clean
from profiles.models import (
    CustomFieldType,
    CustomFieldValue,
    Group,
    OptOutSource,
    Profile,
    ProfileStatus,
    SourceType,
)
from profiles.status import profile_refresh_status
from tests.factories import make_campaign, make_profile, make_subscription

pytestmark = pytest.mark.django_db

N = 300


def seed(**options):
    call_command("seed_demo", profiles=N, verbosity=0, **options)
    return Company.objects.get(name=DEMO_COMPANY)


def statuses():
    return dict(
        (pk, (status, description))
        for pk, status, description in Profile.objects.values_list(
            "pk", "standing__status", "standing__status_description"
        )
    )


def test_the_demo_company_is_created_first_with_n_profiles_and_a_small_second_company():
    company = seed()
    assert Company.objects.order_by("id").first() == company  # the one demo_login signs into
    second = Company.objects.get(name=SECOND_COMPANY)
    assert Profile.objects.filter(company=company).count() == N
    assert Profile.objects.filter(company=second).count() == second_company_size(N)
    assert Campaign.objects.filter(company=second).exists()
    assert not Subscription.objects.filter(company=second, campaign__company=company).exists()


def test_the_maintained_status_columns_match_what_the_status_rules_compute():
    seed()
    before = statuses()
    profile_refresh_status(profiles=Profile.objects.all())
    assert statuses() == before


def test_every_status_source_type_and_opt_out_source_shows_up():
    company = seed()
    profiles = Profile.objects.filter(company=company)
    assert set(profiles.values_list("standing__status", flat=True)) == set(ProfileStatus.values)
    assert set(profiles.values_list("source_type", flat=True)) == set(SourceType.values)
    sources = set(profiles.values_list("standing__opted_out_source", flat=True))
    sources |= set(Subscription.objects.values_list("opt_out_source", flat=True))
    assert set(OptOutSource.values) <= sources
    assert set(profiles.values_list("cleaned_reason", flat=True)) >= {"Soft Bounce", "Hard Bounce"}
    assert profiles.filter(blacklisted=True).exists()
    assert profiles.filter(deactivated=True).exists()
    invalid = set(
        profiles.filter(invalid_data=True).values_list("invalid_data_description", flat=True)
    )
    assert "Address entered as phone number" in invalid
    assert profiles.filter(number_type="landline", number_country="GB").exists()
    assert profiles.filter(crm_sync__isnull=False, crm_synced_at__isnull=False).exists()


def test_related_rows_come_in_realistic_proportions():
    company = seed()
    counts = {
        "values": CustomFieldValue.objects.filter(profile__company=company).count(),
        "subscriptions": Subscription.objects.filter(company=company).count(),
        "messages": Message.objects.filter(company=company).count(),
    }
    assert 4 * N < counts["values"] < 6 * N
    assert 1.1 * N < counts["subscriptions"] < 1.6 * N
    assert 2.5 * N < counts["messages"] < 5 * N
    assert Donation.objects.filter(company=company).exists()
    resubscribed = (
        Subscription.objects.filter(company=company)
        .values("profile", "campaign")
        .annotate(rows=Count("id"), active=Count("id", filter=Q(status="Active")))
        .filter(rows__gt=1, active=1)
    )
    assert resubscribed.exists()  # history kept next to the new active subscription


def test_phone_numbers_are_valid_e164_and_flagged_numbers_are_invalid_data():
    company = seed()
    for phone, invalid in Profile.objects.filter(company=company).values_list(
        "phone_number", "invalid_data"
    ):
        result = phone_normalize(phone)
        assert result.e164 == phone
        assert result.textable or invalid, phone


def test_custom_values_are_canonical_for_their_field_type():
    company = seed()
    values = CustomFieldValue.objects.filter(profile__company=company).select_related("field")
    assert {v.field.field_type for v in values} == set(CustomFieldType.values)
    for value in values:
        assert custom_value_clean(value.field.field_type, value.value) == value.value


def test_message_history_has_the_seeds_types_statuses_channels_and_originators():
    company = seed()
    messages = Message.objects.filter(company=company)
    mo = set(messages.filter(direction="mo").values_list("message_type", flat=True))
    mt = set(messages.filter(direction="mt").values_list("message_type", flat=True))
    assert {MOType.OPT_IN, MOType.OPT_OUT, MOType.REPLY, MOType.HELP_REQUEST} <= mo
    assert {MOType.DIRECT_RESPONSE, MOType.DONATION} <= mo
    assert {MTType.REGULAR_TEXT, MTType.INFO_REQUEST, MTType.OPT_OUT_RECEIPT} <= mt
    assert {MTType.HELP_RESPONSE, MTType.DIRECT_MESSAGE, MTType.QUESTION} <= mt
    assert set(messages.values_list("status", flat=True)) >= {
        "Sent",
        "Failed Permanently",
        "Undeliverable",
        "Read (RCS)",
        "Received",
    }
    assert set(messages.values_list("channel", flat=True)) == {"sms", "mms", "rcs"}
    assert set(messages.values_list("originator_type", flat=True)) == {
        "short_code",
        "long_code",
        "rcs_agent",
    }
    assert messages.filter(multipart=True, segments__gt=1).exists()


def test_sent_broadcasts_count_exactly_the_messages_they_sent():
    company = seed()
    sent = Broadcast.objects.filter(company=company, status="sent")
    assert sent.count() >= 2
    for broadcast in sent:
        mts = Message.objects.filter(broadcast=broadcast, direction="mt")
        assert broadcast.recipients_count == mts.count() > 0
        assert broadcast.sent_count == mts.filter(status__in=["Sent", "Read (RCS)"]).count()
        assert broadcast.failed_count == mts.filter(status="Failed Permanently").count()
        replies = Message.objects.filter(in_reply_to__broadcast=broadcast, direction="mo")
        assert broadcast.replies_count == replies.count()


def test_no_campaign_text_reaches_a_number_after_it_became_undeliverable():
    company = seed()
    marketing = [MTType.REGULAR_TEXT, MTType.DIRECT_MESSAGE, MTType.QUESTION, MTType.INFO_REQUEST]
    undeliverable = Profile.objects.filter(
        company=company, standing__status=ProfileStatus.UNDELIVERABLE
    ).select_related("standing")
    for profile in undeliverable:
        late = profile.messages.filter(
            direction="mt", message_type__in=marketing, created_at__gt=profile.standing.opted_out_at
        )
        assert not late.exists(), profile.pk


def test_groups_keywords_and_notes_exist():
    company = seed()
    uploaded = Group.objects.filter(company=company, kind=Group.Kind.UPLOADED)
    assert uploaded.filter(memberships__isnull=False).exists()
    filtered = Group.objects.filter(company=company, kind=Group.Kind.FILTERED)
    assert {"subscription_status": "active", "q": ""} in [g.filter_params for g in filtered]
    words = set(Keyword.objects.filter(company=company).values_list("name", flat=True))
    assert {"JOIN", "VOTE", "RENT", "NEWS"} <= words
    assert Campaign.objects.filter(company=company, active=False, ended_at__isnull=False).exists()


def test_if_empty_keeps_the_data_and_reset_replaces_it():
    company = seed()
    campaigns = set(Campaign.objects.values_list("id", flat=True))
    seed(if_empty=True)
    assert set(Campaign.objects.values_list("id", flat=True)) == campaigns
    with pytest.raises(CommandError, match="--reset"):
        seed()
    again = seed(reset=True)
    assert again.pk == company.pk  # kept, with the users' memberships
    assert Profile.objects.filter(company=company).count() == N
    assert not set(Campaign.objects.values_list("id", flat=True)) & campaigns


def test_the_same_seed_makes_the_same_people():
    seed(seed=7)
    first = sorted(Profile.objects.values_list("phone_number", "first_name", "last_name"))
    seed(seed=7, reset=True)
    assert sorted(Profile.objects.values_list("phone_number", "first_name", "last_name")) == first


def _schema(tables):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables]
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            """
            SELECT conname, pg_get_constraintdef(c.oid), convalidated FROM pg_constraint c
            JOIN pg_class r ON r.oid = c.conrelid WHERE r.relname = ANY(%s)
            """,
            [tables],
        )
        return indexes, set(cursor.fetchall())


def test_the_bulk_path_rebuilds_every_index_and_constraint_and_loads_the_same_rules(db):
    tables = [model._meta.db_table for model, _ in TABLES.values()]
    before = _schema(tables)
    result = demo_seed(profiles=300, rebuild_indexes=True, workers=2)
    assert _schema(tables) == before
    assert result.counts["profile"] == 300 + second_company_size(300)
    assert Profile.objects.count() == result.counts["profile"]
    assert (
        len(set(Profile.objects.values_list("phone_number", "company"))) == Profile.objects.count()
    )
    snapshot = statuses()
    profile_refresh_status(profiles=Profile.objects.all())
    assert statuses() == snapshot
    assert (
        Counter(Profile.objects.values_list("standing__status", flat=True))[ProfileStatus.ACTIVE]
        > 150
    )


def test_the_insert_path_of_the_quick_start_loads_the_same_data(settings):
    result = demo_seed(profiles=200, loader="insert")
    assert Profile.objects.filter(company__name=DEMO_COMPANY).count() == 200
    assert Message.objects.count() == result.counts["message"] > 0
    snapshot = statuses()
    profile_refresh_status(profiles=Profile.objects.all())
    assert statuses() == snapshot


def test_a_reset_removes_only_the_demo_companies_data(company):
    theirs = make_profile(company, first_name="Kept")
    make_subscription(theirs, make_campaign(company))
    seed()
    seed(reset=True)
    assert Profile.objects.filter(company=company).get() == theirs
    assert Subscription.objects.filter(company=company).count() == 1
    assert Profile.objects.filter(company__name=DEMO_COMPANY).count() == N


def test_the_demo_never_loads_a_number_that_is_on_the_suppression_list(alice):
    """The demo loads by COPY, not through profiles.creation, so it must not need its
    suppression check: a reset clears the demo companies' suppression list first."""
    from core.phones import phone_digest
    from profiles.models import Suppression
    from profiles.services import profile_erase

    company = seed()
    person = Profile.objects.filter(company=company, erased_at__isnull=True).first()
    number = person.phone_number
    profile_erase(profile=person, actor=alice, confirmation=number)
    assert Suppression.objects.filter(company=company, phone_digest=phone_digest(number))
    seed(reset=True)
    # The same seed brings the same person, with the same number, back...
    assert Profile.objects.filter(company=company, phone_number=number).exists()
    # ...and no loaded number is on a suppression list.
    digests = set(Suppression.objects.values_list("company_id", "phone_digest"))
    loaded = Profile.objects.values_list("company_id", "phone_number")
    assert not [p for p in loaded if (p[0], phone_digest(p[1])) in digests]
