"""A profile with something in every tab, for the profile page's tests."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from campaigns.models import Donation, Fundraising
from campaigns.services_subscriptions import subscription_create
from messaging.models import Message
from profiles.models import ActivityEvent, CustomField, CustomFieldValue, Note
from profiles.services import activity_record
from tests.factories import make_campaign, make_opt_in_path, make_profile, make_subscription


def make_message(profile, **fields) -> Message:
    defaults = {
        "company": profile.company,
        "profile": profile,
        "phone_number": profile.phone_number,
        "direction": Message.Direction.MT,
        "message_type": "regular_text",
        "body": "Hello from the campaign",
        "status": Message.Status.SENT,
        "originator": "45678",
    }
    defaults.update(fields)
    return Message.objects.create(**defaults)


def make_rich_profile(company, author=None):
    profile = make_profile(
        company,
        "+12125550147",
        first_name="Maria",
        last_name="Lopez",
        email="maria@example.org",
        street1="350 5th Ave",
        city="New York",
        state="NY",
        postal_code="10118",
        congressional_district="NY-12",
        state_upper_district="47",
        state_lower_district="75",
        language="es",
        timezone="America/New_York",
    )
    alerts = make_campaign(company, "Action Alerts")
    rally = make_campaign(company, "Rally Reminders")
    path = make_opt_in_path(alerts, "Keyword JOIN", keyword="JOIN")
    old = make_subscription(
        profile,
        alerts,
        status="Opted-Out",
        opt_in_path=path,
        opt_in_source="Keyword JOIN",
        opt_out_source="Texted a STOP word",
    )
    old.created_at = timezone.now() - timedelta(days=90)
    old.save(update_fields=["created_at"])
    make_subscription(profile, alerts, opt_in_path=path, opt_in_source="Keyword JOIN")
    subscription_create(profile=profile, campaign=rally, source="Web form", actor=author)

    color = CustomField.objects.create(company=company, name="Favorite color")
    CustomField.objects.create(company=company, name="Age", field_type="age")
    CustomField.objects.create(company=company, name="Volunteer", field_type="yesno")
    CustomFieldValue.objects.create(profile=profile, field=color, value="Teal")

    make_message(profile, body="Rally at City Hall tomorrow at noon!", campaign=alerts)
    make_message(
        profile,
        direction=Message.Direction.MO,
        message_type="reply",
        body="Count me in",
        status=Message.Status.RECEIVED,
        campaign=alerts,
    )
    make_message(
        profile,
        message_type="direct_message",
        body="Thanks Maria, see you there " + "x" * 200,
        multipart=True,
        segments=2,
        sent_by=author,
    )
    make_message(
        profile,
        channel=Message.Channel.RCS,
        body="Your ticket",
        status=Message.Status.READ,
        originator="acme-agent",
        originator_type=Message.OriginatorType.RCS_AGENT,
    )
    make_message(
        profile,
        body="Reminder: polls open at 7am",
        status=Message.Status.QUEUED,
        scheduled_at=timezone.now() + timedelta(days=1),
        campaign=rally,
    )

    fund = Fundraising.objects.create(company=company, name="Spring drive", campaign=alerts)
    for amount, status in (("25.00", "accepted"), ("100.00", "accepted"), ("500.00", "declined")):
        Donation.objects.create(
            company=company,
            profile=profile,
            fundraising=fund,
            amount=Decimal(amount),
            status=status,
            description=f"Gift of {amount}",
        )
    Note.objects.create(profile=profile, body="Prefers texts in Spanish", author=author)
    activity_record(
        profile=profile, kind=ActivityEvent.Kind.GROUP_ADDED, description="Added to Volunteers"
    )
    return profile
