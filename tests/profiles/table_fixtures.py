"""A company whose profiles cover every subscription status, reason and first seen type."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from campaigns.models import Campaign, OptInPath
from campaigns.services_subscriptions import profile_opt_out
from profiles.models import CrmSync, OptOutSource, Profile, SourceType
from profiles.status import profile_refresh_status
from tests.factories import make_campaign, make_opt_in_path, make_profile, make_subscription

BASE = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


@dataclass
class TableWorld:
    profiles: dict[str, Profile]
    campaign: Campaign
    ended_campaign: Campaign
    opt_in_path: OptInPath


def make_table_profiles(company) -> TableWorld:
    """Named profiles of `company`, one or more per Filters pane option."""
    alerts = make_campaign(company, "Action Alerts")
    ended = make_campaign(company, "Spring Drive", active=False, ended_at=timezone.now())
    path = make_opt_in_path(alerts, "Web signup")
    crm = CrmSync.objects.create(company=company, name="Salesforce", last_synced_at=BASE)

    specs: dict[str, dict[str, Any]] = {
        "active": dict(
            first_name="Ana",
            last_name="Lopez",
            email="ana.lopez@example.org",
            source_type=SourceType.OPTED_IN,
        ),
        "former": dict(
            first_name="Ben",
            last_name="Okafor",
            email="ben@example.com",
            source_type=SourceType.UPLOADED_GROUP,
        ),
        "none": dict(first_name="Cleo", last_name="Martin", source_type=SourceType.UNKNOWN),
        "opted_out": dict(
            first_name="Dev",
            last_name="Patel",
            email="DEV@Example.NET",
            source_type=SourceType.KEYWORD,
        ),
        "synced": dict(
            first_name="Eli",
            last_name="Stone",
            source_type=SourceType.CRM,
            crm_sync=crm,
            crm_synced_at=BASE,
        ),
        "invalid": dict(
            first_name="Fay",
            invalid_data=True,
            invalid_data_description="Address given as phone number",
            source_type=SourceType.USED_MDATA,
        ),
        "hard_bounce": dict(
            first_name="Gus",
            cleaned_at=BASE,
            cleaned_reason="Hard Bounce",
            source_type=SourceType.DONATED,
        ),
        "from_profile": dict(first_name="Hana", source_type=SourceType.CALLED_MCONNECT),
        "from_inbox": dict(first_name="Ivo", source_type=SourceType.INBOX),
        "deactivated": dict(first_name="Jun", deactivated=True, source_type=SourceType.WEB_FORM),
        "manual": dict(first_name="Kai", source_type=SourceType.API),
        "blacklisted": dict(
            first_name="Lee", blacklisted=True, source_type=SourceType.UPLOADED_GROUP
        ),
        "stop_all": dict(first_name="Mia", last_name="Lopezova", source_type=SourceType.KEYWORD),
    }
    profiles: dict[str, Profile] = {}
    for i, (name, fields) in enumerate(specs.items()):
        fields = {"created_at": BASE + timedelta(days=i), **fields}
        profiles[name] = make_profile(company, **fields)

    make_subscription(profiles["active"], alerts, opt_in_path=path)
    make_subscription(profiles["former"], ended)
    make_subscription(
        profiles["opted_out"], alerts, status="Opted-Out", opt_out_source=OptOutSource.STOP_WORD
    )
    make_subscription(profiles["hard_bounce"], alerts, opt_in_path=path)
    make_subscription(profiles["stop_all"], alerts)
    profile_opt_out(profile=profiles["stop_all"], source=OptOutSource.STOP_WORD)
    for name, source in (
        ("from_profile", OptOutSource.PROFILE),
        ("from_inbox", OptOutSource.INBOX),
        ("manual", OptOutSource.MANUAL),
    ):
        make_subscription(profiles[name], alerts)
        profile_opt_out(profile=profiles[name], source=source)
    profile_refresh_status(profiles=Profile.objects.for_company(company))
    for profile in profiles.values():
        profile.refresh_from_db()
    return TableWorld(profiles=profiles, campaign=alerts, ended_campaign=ended, opt_in_path=path)
