"""The demo companies' small objects: campaigns, opt-in paths, keywords, tags, custom
fields, fundraisings, CRM syncs, groups and broadcasts.

These are a few dozen rows, made one at a time through the same services as the
product's pages and API (campaign_create, keyword_create, broadcast_create, group_create,
custom_field_create…), so the demo's texts, names and keywords pass the rules every
other path's do. What a service cannot make, because it is history (an ended campaign's
dates, a broadcast sent months ago), is set on the rows the service made. The millions
of rows that hang off profiles are history too: generated in `demo.people` and
bulk-loaded with COPY by `demo.loader`, for speed. `Catalog` hands the generator the
ids and facts it needs without further queries.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from accounts.models import Company
from campaigns.broadcasts import broadcast_create
from campaigns.groups import group_create
from campaigns.models import Broadcast, Campaign, Fundraising, Keyword
from campaigns.services_campaigns import (
    campaign_create,
    campaign_end,
    keyword_create,
    opt_in_path_create,
)
from profiles.models import CrmSync, CustomFieldType, Group
from profiles.services import custom_field_create

DEMO_COMPANY = "Demo Action Network"
SECOND_COMPANY = "Riverside Tenants Union"
DEMO_COMPANY_NAMES = (DEMO_COMPANY, SECOND_COMPANY)

SHORT_CODE = "41411"
LONG_CODE = "+12025550142"  # the company's 10DLC number
RCS_AGENT = "demo_action_network@rbm.goog"

STOP_FOOTER = "Reply STOP to opt out, HELP for help. Msg&data rates may apply."


@dataclass
class PathInfo:
    id: int
    name: str
    keyword_id: int | None
    keyword: str
    welcome: str
    double_opt_in: bool


@dataclass
class CampaignInfo:
    id: int
    name: str
    active: bool
    started: datetime
    ended: datetime | None
    weight: int
    help_text: str
    opt_out_text: str
    paths: list[PathInfo] = field(default_factory=list)


@dataclass
class BroadcastInfo:
    id: int
    campaign_id: int
    body: str
    sent_at: datetime
    channel: str
    media_url: str = ""


@dataclass
class Catalog:
    company_id: int
    short_code: str
    campaigns: list[CampaignInfo]
    broadcasts: list[BroadcastInfo]
    fields: dict[str, int]  # custom field name → id
    fundraisings: list[tuple[int, str, int]]  # (id, name, campaign id)
    crm_syncs: list[tuple[int, str, datetime]]
    uploaded_groups: list[tuple[int, str, float]]  # (id, name, share of profiles)
    states: tuple[str, ...] = ()  # restrict cities to these states (empty: all)
    showcase: bool = False  # start with one profile of every status, reason and source


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    description: str
    days_old: int
    ended_days_ago: int | None
    weight: int
    tags: tuple[str, ...]
    paths: tuple[tuple[str, str, bool], ...]  # (path name, keyword or "", double opt-in)
    welcome: str


DEMO_CAMPAIGNS = (
    CampaignSpec(
        "Action Alerts",
        "Breaking calls to action: phone banks, rallies and petitions.",
        1100,
        None,
        38,
        ("advocacy", "volunteers"),
        (
            ("JOIN keyword", "JOIN", False),
            ("ACTION keyword", "ACTION", False),
            ("Website signup", "", True),
            ("Partner API", "", False),
        ),
        "Demo Action Network: you're in! Expect up to 4 alerts a month.",
    ),
    CampaignSpec(
        "Voter Outreach",
        "Registration deadlines, polling places and election-day reminders.",
        900,
        None,
        22,
        ("elections",),
        (("VOTE keyword", "VOTE", False), ("Voter registration form", "", False)),
        "Thanks for pledging to vote! We'll remind you of every deadline.",
    ),
    CampaignSpec(
        "Tenant Rights",
        "Know-your-rights tips and emergency help for renters.",
        700,
        None,
        16,
        ("housing",),
        (("RENT keyword", "RENT", False), ("Know your rights form", "", False)),
        "Welcome to Tenant Rights texts. Facing eviction? Reply HELP for our hotline.",
    ),
    CampaignSpec(
        "Weekly News",
        "A Friday roundup of wins, news and upcoming events.",
        1000,
        None,
        18,
        ("newsletter",),
        (("NEWS keyword", "NEWS", False), ("Newsletter footer form", "", False)),
        "You're subscribed to the Weekly News. See you Friday!",
    ),
    CampaignSpec(
        "Spring Fundraiser 2023",
        "Text-to-give drive for the spring organizing program.",
        1060,
        880,
        6,
        ("fundraising",),
        (("GIVE keyword", "GIVE", False),),
        "Thank you for supporting our spring drive!",
    ),
    CampaignSpec(
        "Primary Election 2022",
        "Get-out-the-vote texts for the 2022 primaries.",
        1090,
        960,
        5,
        ("elections",),
        (("PRIMARY keyword", "PRIMARY", False),),
        "You're signed up for primary reminders.",
    ),
)

SECOND_CAMPAIGNS = (
    CampaignSpec(
        "Tenant Alerts",
        "Building alerts and tenant meeting notices for Riverside renters.",
        800,
        None,
        70,
        ("housing",),
        (("RENT keyword", "RENT", False), ("Door-knock signup", "", False)),
        "Riverside Tenants Union: welcome! We'll text about meetings and your rights.",
    ),
    CampaignSpec(
        "Building Meetings 2023",
        "Reminders for the 2023 building meetings.",
        900,
        500,
        30,
        ("housing",),
        (("MEET keyword", "MEET", False),),
        "See you at the next building meeting!",
    ),
)

CUSTOM_FIELDS = (
    ("Age", CustomFieldType.AGE),
    ("Favorite Issue", CustomFieldType.STRING),
    ("Member Since", CustomFieldType.DATE),
    ("Anniversary", CustomFieldType.ANNIVERSARY),
    ("Volunteer", CustomFieldType.YESNO),
    ("Best time to text", CustomFieldType.TIME_OF_DAY),
    ("Gender", CustomFieldType.GENDER),
    ("Donation pledge", CustomFieldType.NUMBER),
)


def _help_text(company: str) -> str:
    return f"{company}: up to 4 msgs/mo. Questions? Email help@example.org. {STOP_FOOTER}"


def _campaigns(company: Company, specs: tuple[CampaignSpec, ...], now: datetime) -> list:
    infos = []
    for spec in specs:
        campaign = campaign_create(
            company=company,
            name=spec.name,
            description=spec.description,
            help_text=_help_text(company.name),
            tags=spec.tags,
        )
        started = now - timedelta(days=spec.days_old)
        ended = now - timedelta(days=spec.ended_days_ago) if spec.ended_days_ago else None
        info = CampaignInfo(
            id=campaign.pk,
            name=spec.name,
            active=ended is None,
            started=started,
            ended=ended,
            weight=spec.weight,
            help_text=campaign.help_text,
            opt_out_text=campaign.opt_out_text,
        )
        for path_name, word, double in spec.paths:
            welcome = f"{spec.welcome} {STOP_FOOTER}"
            path = opt_in_path_create(campaign=campaign, name=path_name, welcome_message=welcome)
            keyword_id = keyword_create(opt_in_path=path, name=word).pk if word else None
            info.paths.append(PathInfo(path.pk, path_name, keyword_id, word, welcome, double))
        if ended is not None:
            # Ended the way an Admin ends one (its keywords stop too), then dated back.
            campaign_end(campaign=campaign)
            Keyword.objects.filter(opt_in_path__campaign=campaign).update(ended_at=ended)
            Campaign.objects.filter(pk=campaign.pk).update(ended_at=ended)
        Campaign.objects.filter(pk=campaign.pk).update(created_at=started)
        infos.append(info)
    return infos


def _custom_fields(company: Company, fields: tuple) -> dict[str, int]:
    return {
        name: custom_field_create(company=company, name=name, field_type=kind).pk
        for name, kind in fields
    }


def _groups(company: Company, uploaded: tuple, filtered: tuple) -> list[tuple[int, str, float]]:
    for name, params in filtered:
        group_create(company=company, name=name, kind=Group.Kind.FILTERED, filter_params=params)
    return [
        (group_create(company=company, name=name, kind=Group.Kind.UPLOADED).pk, name, share)
        for name, share in uploaded
    ]


BROADCASTS = (
    # (campaign, name, body, days ago, channel, media)
    (
        "Action Alerts",
        "Call your senator: housing bill",
        "The housing bill is up for a vote TOMORROW. Call your senator at 202-555-0111 and "
        "tell them to vote YES on affordable homes. Then reply DONE so we can count your call!",
        210,
        "sms",
        "",
    ),
    (
        "Voter Outreach",
        "Election day reminder",
        "Today is Election Day! Polls are open 7am-8pm. Find your polling place at "
        "vote.example.org and bring a friend. 🗳️",
        125,
        "sms",
        "",
    ),
    (
        "Weekly News",
        "Weekly news: rent relief update",
        "This week: rent relief applications reopen Monday, and 300 of you packed city hall. "
        "Photos from the rally inside.",
        18,
        "mms",
        "https://media.example.org/demo/rally-city-hall.jpg",
    ),
)


def _broadcasts(campaigns: list[CampaignInfo], now: datetime) -> list:
    by_name = {c.name: Campaign.objects.get(pk=c.id) for c in campaigns}
    infos = []
    for campaign_name, name, body, days_ago, channel, media in BROADCASTS:
        campaign = by_name[campaign_name]
        when = (now - timedelta(days=days_ago)).replace(hour=16, minute=0, second=0, microsecond=0)
        broadcast = broadcast_create(campaign=campaign, name=name, body=body)
        # Sent in the past: what the fan-out set when it ran. Its messages are history
        # loaded with the profiles, and demo.seed adds their outcomes to the counters.
        Broadcast.objects.filter(pk=broadcast.pk).update(
            status=Broadcast.Status.SENT,
            delivery_time=when,
            started_at=when,
            finished_at=when + timedelta(minutes=14),
            created_at=when - timedelta(days=1),
        )
        infos.append(BroadcastInfo(broadcast.pk, campaign.pk, body, when, channel, media))
    # One broadcast waiting for its time and one draft, so the list shows every state.
    upcoming = (now + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
    broadcast_create(
        campaign=by_name["Action Alerts"],
        name="Rally at the capitol",
        body="Rally at the capitol this Saturday at noon! Reply YES if you can make it.",
        localtime=True,
        schedule_at=upcoming,
    )
    broadcast_create(campaign=by_name["Weekly News"], name="Weekly news draft", body="This week: ")
    return infos


def demo_company(name: str) -> Company:
    """The demo company of that name, made once and kept across resets (with its users)."""
    short_code = SHORT_CODE if name == DEMO_COMPANY else "73223"
    company, _ = Company.objects.get_or_create(name=name, defaults={"short_code": short_code})
    return company


def demo_catalog(company: Company, now: datetime) -> Catalog:
    campaigns = _campaigns(company, DEMO_CAMPAIGNS, now)
    by_name = {c.name: c.id for c in campaigns}
    fundraisings = []
    for name, campaign_name in (
        ("Spring Fundraiser 2023", "Spring Fundraiser 2023"),
        ("Giving Tuesday 2024", "Action Alerts"),
        ("Legal Defense Fund", "Tenant Rights"),
    ):
        # Fundraisings and CRM syncs have no service: nothing about them is checked.
        fund = Fundraising.objects.create(
            company=company, campaign_id=by_name[campaign_name], name=name
        )
        fundraisings.append((fund.pk, name, by_name[campaign_name]))
    crm_syncs = []
    for name, hours in (("EveryAction", 2), ("Salesforce NPSP", 26)):
        synced = now - timedelta(hours=hours)
        sync = CrmSync.objects.create(company=company, name=name, last_synced_at=synced)
        crm_syncs.append((sync.pk, name, synced))
    groups = _groups(
        company,
        uploaded=(
            ("Volunteers 2023 (volunteers_2023.csv)", 0.04),
            ("Rally attendees", 0.02),
            ("Phone bank callers", 0.01),
            ("Board and staff", 0.0005),
        ),
        filtered=(
            ("Active subscribers", {"subscription_status": "active", "q": ""}),
            ("Opted out", {"subscription_status": "opted_out", "q": ""}),
            ("From our CRM", {"first_seen_type": ["crm"], "q": ""}),
            ("Gmail users", {"q": "gmail.com"}),
        ),
    )
    return Catalog(
        company_id=company.pk,
        short_code=company.short_code or SHORT_CODE,
        campaigns=campaigns,
        broadcasts=_broadcasts(campaigns, now),
        fields=_custom_fields(company, CUSTOM_FIELDS),
        fundraisings=fundraisings,
        crm_syncs=crm_syncs,
        uploaded_groups=groups,
        showcase=True,
    )


def second_catalog(company: Company, now: datetime) -> Catalog:
    """A small second company, so that tenancy is visible in the demo."""
    campaigns = _campaigns(company, SECOND_CAMPAIGNS, now)
    fields = _custom_fields(
        company,
        (
            ("Building", CustomFieldType.STRING),
            ("Unit count", CustomFieldType.NUMBER),
            ("Volunteer", CustomFieldType.YESNO),
        ),
    )
    groups = _groups(
        company,
        uploaded=(("Building captains", 0.05),),
        filtered=(("Active tenants", {"subscription_status": "active", "q": ""}),),
    )
    return Catalog(
        company_id=company.pk,
        short_code=company.short_code or "73223",
        campaigns=campaigns,
        broadcasts=[],
        fields=fields,
        fundraisings=[],
        crm_syncs=[],
        uploaded_groups=groups,
        states=("CA",),
    )


def demo_companies() -> list[Company]:
    return list(Company.objects.filter(name__in=DEMO_COMPANY_NAMES).order_by("id"))
