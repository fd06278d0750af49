"""A demo profile's history: subscriptions, messages, donations and activity.

Everything here is generated from the same few facts about a person (when they were
first seen, what happened to their number, which campaigns were open then), so the
tables agree with each other: a STOP is followed by its receipt, a broadcast only
reaches people subscribed at the time and still textable, a re-subscriber keeps the
opted-out row as history next to the new active one.
"""

import bisect
import json
import math
import random
from collections import Counter

from campaigns.models import Subscription
from messaging.models import Message, MOType, MTType
from profiles.models import ActivityEvent, OptOutSource

from . import data
from .catalog import LONG_CODE, RCS_AGENT, BroadcastInfo, CampaignInfo, Catalog, PathInfo
from .clock import Clock
from .columns import NULL
from .rows import Rows

ACTIVE = Subscription.Status.ACTIVE.value
OPTED_OUT = Subscription.Status.OPTED_OUT.value
MO, MT = Message.Direction.MO.value, Message.Direction.MT.value
SENT, RECEIVED = Message.Status.SENT.value, Message.Status.RECEIVED.value
FAILED, UNDELIVERABLE = Message.Status.FAILED.value, Message.Status.UNDELIVERABLE.value
QUEUED, READ = Message.Status.QUEUED.value, Message.Status.READ.value
SHORT, LONG, AGENT = (t.value for t in Message.OriginatorType)
SUBSCRIBED = ActivityEvent.Kind.SUBSCRIBED.value

# Who opts out of one campaign, and how (the rest of OptOutSource applies to whole numbers).
CAMPAIGN_OPT_OUTS = (
    (OptOutSource.STOP_WORD, 70),
    (OptOutSource.PROFILE, 8),
    (OptOutSource.INBOX, 8),
    (OptOutSource.MANUAL, 6),
    (OptOutSource.API, 5),
    (OptOutSource.HARD_BOUNCE, 3),
)
STOP_WORDS = ("STOP", "STOP", "Stop", "stop", "UNSUBSCRIBE", "QUIT", "END", "CANCEL")
FAILURES = (
    ("30003", "Unreachable destination handset"),
    ("30005", "Unknown destination handset"),
    ("30006", "Landline or unreachable carrier"),
    ("30007", "Carrier violation"),
)
DONATION_STATUSES = (
    ("accepted", 80),
    ("pending", 5),
    ("declined", 8),
    ("failed", 4),
    ("refunded", 3),
)
AMOUNTS = ((5, 10), (10, 22), (20, 14), (25, 24), (50, 16), (100, 9), (250, 4), (500, 1))
DIRECT_MESSAGES = (
    "Hi {first}, this is Sam from Demo Action Network. Can you join our phone bank "
    "Thursday at 6pm?",
    "Hi {first}! Thanks for signing the petition. Would you share it with two friends?",
    "Hey {first}, we're short on drivers for Saturday's canvass. Could you help?",
)
DIRECT_REPLIES = (
    "Yes I can be there",
    "Sure, send me the details",
    "Sorry, not this week",
    "Maybe",
)
QUESTION = "Will you attend the town hall on Saturday? Reply YES or NO."
QUESTION_ANSWERS = ("YES", "Yes", "yes", "NO", "No")
INFO_REQUEST = "What's your ZIP code? We'll find your polling place."


def cumulative(pairs: tuple) -> tuple[list, list[int]]:
    values, weights, total = [], [], 0
    for value, weight in pairs:
        total += weight
        values.append(value)
        weights.append(total)
    return values, weights


def segments(body: str) -> tuple[str, int]:
    """Encoding and SMS segment count: GSM-7 160/153 characters, else UCS-2 70/67 units."""
    if all(ord(ch) < 128 for ch in body):
        return "GSM-7", 1 if len(body) <= 160 else math.ceil(len(body) / 153)
    units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in body)
    return "UCS-2", 1 if units <= 70 else math.ceil(units / 67)


class Sub:
    __slots__ = ("id", "campaign", "path", "status", "created", "opted_out_at", "source")

    def __init__(self, id: int, campaign: CampaignInfo, path: PathInfo, created: int) -> None:
        self.id = id
        self.campaign = campaign
        self.path = path
        self.status = ACTIVE
        self.created = created
        self.opted_out_at: int | None = None
        self.source = ""

    def reaches(self, moment: int) -> bool:
        """Subscribed at `moment`: joined before, not yet opted out."""
        return self.created < moment and (self.opted_out_at is None or self.opted_out_at > moment)


class History:
    def __init__(self, catalog: Catalog, rows: Rows, clock: Clock, rng: random.Random) -> None:
        self.catalog = catalog
        self.rows = rows
        self.clock = clock
        self.rng = rng
        self.company = catalog.company_id
        self.now = clock.now
        self.campaigns = [
            (c, clock.at(c.started), clock.at(c.ended) if c.ended else clock.now + 1)
            for c in catalog.campaigns
        ]
        self.broadcasts = [(b, clock.at(b.sent_at)) for b in catalog.broadcasts]
        self.latest_broadcast = max((t for _, t in self.broadcasts), default=0)
        self.broadcast_counts: dict[int, Counter] = {b.id: Counter() for b in catalog.broadcasts}
        self.opt_outs = cumulative(CAMPAIGN_OPT_OUTS)
        self.donation_statuses = cumulative(DONATION_STATUSES)
        self.amounts = cumulative(AMOUNTS)
        self.segment_cache: dict[str, tuple[str, int]] = {}
        self.choice_tables: dict[tuple, tuple[list, list[int]]] = {}
        self.broadcast_campaigns = {b.campaign_id for b in catalog.broadcasts}

    def pick(self, table: tuple[list, list[int]]):
        values, weights = table
        return values[bisect.bisect(weights, self.rng.random() * weights[-1])]

    # --- subscriptions ---------------------------------------------------------------

    def open_campaign(self, moment: int, taken: set[int]) -> CampaignInfo | None:
        key = tuple(
            i
            for i, (c, start, end) in enumerate(self.campaigns)
            if start <= moment < end and c.id not in taken
        )
        if not key:
            return None
        table = self.choice_tables.get(key)
        if table is None:
            candidates = tuple((self.campaigns[i][0], self.campaigns[i][0].weight) for i in key)
            table = self.choice_tables[key] = cumulative(candidates)
        return self.pick(table)

    def subscribe(self, pid: int, first_seen: int, count: int, keyword_first: bool) -> list[Sub]:
        rng, now = self.rng, self.now
        subs: list[Sub] = []
        taken: set[int] = set()
        moment = first_seen if keyword_first else first_seen + int(rng.random() * 5_000_000)
        for _ in range(count):
            if moment >= now:
                break
            campaign = self.open_campaign(moment, taken)
            if campaign is None:
                break
            taken.add(campaign.id)
            paths = campaign.paths
            path = paths[0] if keyword_first and not subs else paths[int(rng.random() * len(paths))]
            subs.append(Sub(self.rows.new_id("subscription"), campaign, path, moment))
            moment += int(rng.random() * (now - moment) * 0.6) + 3600
        return subs

    def subscribe_ended(self, first_seen: int) -> list[Sub]:
        """One subscription to a campaign that has ended since: a former subscriber."""
        ended = [(c, s, e) for c, s, e in self.campaigns if not c.active and e > first_seen]
        if not ended:
            return []
        campaign, start, end = ended[int(self.rng.random() * len(ended))]
        moment = max(first_seen, start) + int(self.rng.random() * 86400 * 7)
        if moment >= end:
            return []
        return [Sub(self.rows.new_id("subscription"), campaign, campaign.paths[0], moment)]

    def opt_out_time(self, sub: Sub, after: int, source: str) -> int:
        """When a subscription ends: often right after a broadcast, when it is a STOP."""
        rng = self.rng
        start = max(sub.created, after) + 60
        moment = start + int(rng.random() * max(self.now - start - 60, 1))
        if source == OptOutSource.STOP_WORD and rng.random() < 0.4:
            for broadcast, sent in self.broadcasts:
                if broadcast.campaign_id == sub.campaign.id and start < sent < moment:
                    return sent + 60 + int(rng.random() * 7200)
        return moment

    def opt_out(self, sub: Sub, moment: int, source: str) -> None:
        sub.status = OPTED_OUT
        sub.opted_out_at = moment
        sub.source = source

    def resubscribe(self, sub: Sub) -> Sub | None:
        """The subscriber texted STOP once and joined the same campaign again later."""
        moment = self.opt_out_time(sub, sub.created, OptOutSource.STOP_WORD)
        rejoin = moment + 86400 + int(self.rng.random() * max(self.now - moment - 86400, 1))
        end = next(e for c, _, e in self.campaigns if c is sub.campaign)
        if rejoin >= min(self.now, end):
            return None
        self.opt_out(sub, moment, OptOutSource.STOP_WORD)
        return Sub(self.rows.new_id("subscription"), sub.campaign, sub.path, rejoin)

    def write_subscriptions(self, pid: int, subs: list[Sub]) -> None:
        ts, add = self.clock.ts, self.rows.tables["subscription"].append
        company, activity = self.company, self.activity
        for sub in subs:
            path = sub.path
            via_api = path.name == "Partner API"
            created = ts(sub.created)
            opted = ts(sub.opted_out_at) if sub.opted_out_at else NULL
            add(
                f"{sub.id}\t{company}\t{pid}\t{sub.campaign.id}\t{path.id}\t{sub.status}\t"
                f"{path.name}\t{created}\t{created}\t{opted}\t{sub.source}\t"
                f"{'t' if via_api else 'f'}"
            )
            if path.keyword:
                continue  # the opt-in text itself shows in the feed (messages join it)
            activity(
                pid,
                SUBSCRIBED,
                sub.created,
                f"Subscribed to {sub.campaign.name} ({path.name})",
                data=f'{{"campaign_id": {sub.campaign.id}, "subscription_id": {sub.id}}}',
                channel="web",
                origin="api" if via_api else "",
            )

    # --- messages --------------------------------------------------------------------

    def message(
        self,
        pid: int,
        phone: str,
        direction: str,
        kind: str,
        body: str,
        moment: int,
        *,
        campaign: int | None = None,
        broadcast: int | None = None,
        keyword: int | None = None,
        status: str = "",
        channel: str = "sms",
        originator: tuple[str, str] | None = None,
        reply_to: int | None = None,
        media: str = "",
        error: tuple[str, str] = ("", ""),
    ) -> int:
        rows = self.rows
        mid = rows.next_id["message"]
        rows.next_id["message"] = mid + rows.step
        if originator is None:
            originator = (
                (RCS_AGENT, AGENT) if channel == "rcs" else (self.catalog.short_code, SHORT)
            )
        encoding_segments = self.segment_cache.get(body)
        if encoding_segments is None:
            encoding_segments = self.segment_cache.setdefault(body, segments(body))
        encoding, count = encoding_segments
        if channel != "sms":
            count = 1
        created = self.clock.ts(moment)
        if direction == MO:
            status, sent_at, received_at = RECEIVED, NULL, created
        else:
            status = status or SENT
            sent_at = NULL if status == QUEUED else created
            received_at = NULL
        # The carrier's receipt: what was handed on reached the phone.
        delivered_at = created if direction == MT and status in (SENT, READ) else NULL
        queued = status == QUEUED
        rows.tables["message"].append(
            f"{mid}\t{self.company}\t{pid}\t{phone}\t{direction}\t{kind}\t{body}\t{media}\t"
            f"{campaign or NULL}\t{broadcast or NULL}\t{keyword or NULL}\t{originator[0]}\t"
            f"{originator[1]}\t{channel}\t{status}\t{error[1]}\t{encoding}\t{count}\t"
            f"{'t' if count > 1 else 'f'}\t{0 if queued else 1}\t"
            f"{'' if queued else f'SM{mid:012x}'}\t"
            f"{error[0]}\t{reply_to or NULL}\t{created}\t{sent_at}\t{received_at}\t{created}\t"
            f"{delivered_at}"
        )
        return mid

    def mt_status(self, rcs: bool) -> tuple[str, tuple[str, str]]:
        roll = self.rng.random()
        if roll < 0.025:
            return FAILED, self.rng.choice(FAILURES)
        if roll < 0.045:
            return UNDELIVERABLE, FAILURES[1]
        if rcs:
            return (READ if roll < 0.75 else SENT), ("", "")
        return SENT, ("", "")

    def opt_in_messages(self, pid: int, phone: str, sub: Sub, rcs: bool) -> None:
        rng, path, campaign = self.rng, sub.path, sub.campaign.id
        moment = sub.created
        channel = "rcs" if rcs else "sms"
        if path.keyword:
            word = path.keyword if rng.random() < 0.8 else path.keyword.lower()
            self.message(
                pid,
                phone,
                MO,
                MOType.OPT_IN.value,
                word,
                moment,
                campaign=campaign,
                keyword=path.keyword_id,
            )
        elif path.double_opt_in:
            body = f"Reply Y to confirm your subscription to {sub.campaign.name} texts."
            self.message(
                pid, phone, MT, MTType.OPT_IN_REQUEST.value, body, moment, campaign=campaign
            )
            moment += 60 + int(rng.random() * 3000)
            self.message(
                pid, phone, MO, MOType.OPT_IN_CONFIRMATION.value, "Y", moment, campaign=campaign
            )
        self.message(
            pid,
            phone,
            MT,
            MTType.OPT_IN_CONFIRMATION.value,
            path.welcome,
            moment + 2,
            campaign=campaign,
            channel=channel,
            status=READ if rcs else SENT,
        )

    def stop_messages(
        self, pid: int, phone: str, campaign: CampaignInfo, moment: int, word: str
    ) -> None:
        self.message(pid, phone, MO, MOType.OPT_OUT.value, word, moment, campaign=campaign.id)
        self.message(
            pid,
            phone,
            MT,
            MTType.OPT_OUT_RECEIPT.value,
            campaign.opt_out_text,
            moment + 2,
            campaign=campaign.id,
        )

    def subscription_messages(self, pid: int, phone: str, subs: list[Sub], rcs: bool) -> None:
        for sub in subs:
            self.opt_in_messages(pid, phone, sub, rcs)
            if sub.source == OptOutSource.STOP_WORD and sub.opted_out_at:
                word = STOP_WORDS[int(self.rng.random() * len(STOP_WORDS))]
                self.stop_messages(pid, phone, sub.campaign, sub.opted_out_at, word)

    def broadcast_messages(
        self, pid: int, phone: str, subs: list[Sub], rcs: bool, blocked_from: int
    ) -> None:
        """Each sent broadcast reached the subscribers of its campaign that were textable."""
        rng = self.rng
        if not any(s.campaign.id in self.broadcast_campaigns for s in subs):
            return
        for broadcast, sent in self.broadcasts:
            if sent >= blocked_from:
                continue
            if not any(s.reaches(sent) for s in subs if s.campaign.id == broadcast.campaign_id):
                continue
            counts = self.broadcast_counts[broadcast.id]
            moment = sent + int(rng.random() * 840)
            status, error = self.mt_status(rcs)
            if sent == self.latest_broadcast and rng.random() < 0.01:
                status, error = QUEUED, ("", "")
            mid = self.message(
                pid,
                phone,
                MT,
                MTType.REGULAR_TEXT.value,
                broadcast.body,
                moment,
                campaign=broadcast.campaign_id,
                broadcast=broadcast.id,
                status=status,
                channel="rcs" if rcs else broadcast.channel,
                media="" if rcs else broadcast.media_url,
                error=error,
            )
            counts["recipients"] += 1
            counts[{SENT: "sent", READ: "sent", QUEUED: "queued"}.get(status, status)] += 1
            if status in (FAILED, UNDELIVERABLE, QUEUED):
                continue
            self.broadcast_reply(pid, phone, broadcast, sent, moment, mid, subs, counts)

    def broadcast_reply(
        self,
        pid: int,
        phone: str,
        broadcast: BroadcastInfo,
        sent: int,
        moment: int,
        mid: int,
        subs: list[Sub],
        counts: Counter,
    ) -> None:
        rng = self.rng
        stopped = any(
            s.source == OptOutSource.STOP_WORD
            and s.opted_out_at
            and sent < s.opted_out_at < sent + 7300
            and s.campaign.id == broadcast.campaign_id
            for s in subs
        )
        if stopped:
            counts["opt_outs"] += 1
        elif rng.random() < 0.06:
            body = "DONE" if "DONE" in broadcast.body else rng.choice(data.REPLY_BODIES)
            reply_at = moment + 60 + int(rng.random() * 7200)
            self.message(
                pid,
                phone,
                MO,
                MOType.REPLY.value,
                body,
                reply_at,
                campaign=broadcast.campaign_id,
                reply_to=mid,
            )
            counts["replies"] += 1

    def conversations(
        self, pid: int, phone: str, first: str, zip_code: str, subs: list[Sub], until: int
    ) -> None:
        """The occasional help request, inbox chat, question, info request or stray text."""
        rng = self.rng
        roll = rng.random()
        if not subs or roll >= 0.115:
            return
        sub = subs[int(rng.random() * len(subs))]
        campaign = sub.campaign.id
        # Only while subscribed: nothing but a receipt ever goes to an opted-out number.
        until = min(until, sub.opted_out_at or until)
        moment = sub.created + 600 + int(rng.random() * max(until - sub.created - 700, 1))
        if moment >= until:
            return
        say = self.message
        if roll < 0.03:
            say(pid, phone, MO, MOType.HELP_REQUEST.value, "HELP", moment, campaign=campaign)
            say(
                pid,
                phone,
                MT,
                MTType.HELP_RESPONSE.value,
                sub.campaign.help_text,
                moment + 2,
                campaign=campaign,
            )
        elif roll < 0.06:
            body = rng.choice(DIRECT_MESSAGES).format(first=first or "there")
            mid = say(
                pid,
                phone,
                MT,
                MTType.DIRECT_MESSAGE.value,
                body,
                moment,
                campaign=campaign,
                originator=(LONG_CODE, LONG),
            )
            answer = rng.choice(DIRECT_REPLIES)
            say(
                pid,
                phone,
                MO,
                MOType.DIRECT_RESPONSE.value,
                answer,
                moment + 300 + int(rng.random() * 3600),
                campaign=campaign,
                originator=(LONG_CODE, LONG),
                reply_to=mid,
            )
        elif roll < 0.08:
            mid = say(pid, phone, MT, MTType.QUESTION.value, QUESTION, moment, campaign=campaign)
            if rng.random() < 0.85:
                kind, answer = MOType.QUESTION_RESPONSE.value, rng.choice(QUESTION_ANSWERS)
            else:
                kind, answer = MOType.INVALID_QUESTION_RESPONSE.value, "what town hall?"
            say(
                pid,
                phone,
                MO,
                kind,
                answer,
                moment + 120 + int(rng.random() * 5000),
                campaign=campaign,
                reply_to=mid,
            )
        elif roll < 0.095:
            mid = say(
                pid, phone, MT, MTType.INFO_REQUEST.value, INFO_REQUEST, moment, campaign=campaign
            )
            if zip_code and rng.random() < 0.9:
                kind, answer = MOType.INFO_RESPONSE.value, zip_code
            else:
                kind, answer = MOType.INVALID_INFO_RESPONSE.value, "not sure"
            say(
                pid,
                phone,
                MO,
                kind,
                answer,
                moment + 90 + int(rng.random() * 4000),
                campaign=campaign,
                reply_to=mid,
            )
        elif roll < 0.105:
            word = sub.path.keyword or "JOIN"
            say(pid, phone, MO, MOType.DUPLICATE_OPT_IN.value, word, moment, campaign=campaign)
            body = f"You're already subscribed to {sub.campaign.name}. Reply HELP for help."
            say(
                pid,
                phone,
                MT,
                MTType.DUPLICATE_SUBSCRIPTION_NOTIFICATION.value,
                body,
                moment + 2,
                campaign=campaign,
            )
        else:
            kind, body = rng.choice(
                (
                    (MOType.UNMATCHED.value, "who is this?"),
                    (MOType.UNKNOWN.value, "??"),
                    (MOType.UNMATCHED.value, "Wrong number"),
                )
            )
            say(pid, phone, MO, kind, body, moment)

    def failures(self, pid: int, phone: str, subs: list[Sub], before: int, status: str) -> None:
        """The failed sends that got a number cleaned or marked deactivated."""
        if not subs:
            return
        campaign = subs[0].campaign.id
        for k in range(1 + int(self.rng.random() * 3)):
            moment = before - (k + 1) * 86400 * 3
            if moment <= subs[0].created:
                break
            body = "Reminder: our monthly member call is tonight at 7pm. Reply YES to get the link."
            self.message(
                pid,
                phone,
                MT,
                MTType.REGULAR_TEXT.value,
                body,
                moment,
                campaign=campaign,
                status=status,
                error=FAILURES[1],
            )

    # --- donations, activity ---------------------------------------------------------

    def donations(self, pid: int, phone: str, first_seen: int, count: int) -> None:
        rng, ts = self.rng, self.clock.ts
        funds = self.catalog.fundraisings
        if not funds:
            return
        add = self.rows.tables["donation"].append
        for k in range(count):
            moment = first_seen + (0 if k == 0 else int(rng.random() * (self.now - first_seen)))
            fund_id, fund_name, campaign = funds[int(rng.random() * len(funds))]
            amount = self.pick(self.amounts)
            status = self.pick(self.donation_statuses)
            by_text = rng.random() < 0.35
            description = (
                f"Text-to-give ${amount}" if by_text else f"Online donation to {fund_name}"
            )
            donation = self.rows.new_id("donation")
            add(
                f"{donation}\t{self.company}\t{pid}\t{fund_id}\t{amount}.00\t{description}\t"
                f"{status}\t{ts(moment)}"
            )
            if by_text:
                self.donation_messages(pid, phone, campaign, amount, status, moment, fund_name)

    def donation_messages(self, pid, phone, campaign, amount, status, moment, fund_name) -> None:
        say = self.message
        say(
            pid, phone, MO, MOType.DONATION.value, f"GIVE {amount}", moment - 120, campaign=campaign
        )
        ask = (
            f"Reply YES to confirm your ${amount} gift to {fund_name}. "
            "It will be added to your phone bill."
        )
        say(
            pid, phone, MT, MTType.DONATION_CONFIRMATION.value, ask, moment - 118, campaign=campaign
        )
        say(
            pid,
            phone,
            MO,
            MOType.DONATION_CONFIRMATION.value,
            "YES",
            moment - 30,
            campaign=campaign,
        )
        kind, body = {
            "accepted": (
                MTType.DONATION_APPROVED.value,
                f"Thank you! Your ${amount} gift was approved.",
            ),
            "refunded": (
                MTType.DONATION_APPROVED.value,
                f"Thank you! Your ${amount} gift was approved.",
            ),
            "declined": (
                MTType.DONATION_DECLINED.value,
                "Sorry, your carrier declined this donation.",
            ),
            "failed": (
                MTType.DONATION_FAILURE.value,
                "We could not process your donation. Please try again.",
            ),
        }.get(status, (MTType.DONATION_UNCONFIRMED.value, "Your donation is being processed."))
        say(pid, phone, MT, kind, body, moment, campaign=campaign)

    def activity(
        self,
        pid: int,
        kind: str,
        moment: int,
        description: str,
        *,
        data: str = "{}",
        channel: str = "",
        origin: str = "",
    ) -> None:
        event = self.rows.new_id("activity")
        self.rows.tables["activity"].append(
            f"{event}\t{self.company}\t{pid}\t{kind}\t{channel}\t{origin}\t{description}\t"
            f"{data}\t{self.clock.ts(moment)}"
        )

    def opt_out_activity(
        self, pid: int, moment: int, scope: str, source: str, ids: list[int]
    ) -> None:
        payload = json.dumps({"subscription_ids": ids, "source": source})
        self.activity(
            pid,
            ActivityEvent.Kind.OPTED_OUT,
            moment,
            f"Opted out of {scope}: {source}",
            data=payload,
        )
