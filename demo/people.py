"""Demo profiles, one row at a time, with their custom values, groups and notes.

Each profile first gets a fate (a share of the data set that is invalid, blacklisted,
deactivated, cleaned, opted out everywhere, opted out of a campaign, never
subscribed, or a plain subscriber). Its subscriptions and messages follow from that
fate (demo.history), and its maintained `status` columns are computed here
with the rules of profiles.status, which the tests check by recomputing them in SQL.
"""

import bisect
import math
import random
from collections.abc import Iterator, Sequence
from typing import Any

from campaigns.models import Subscription
from core.phones import PhoneReason
from profiles.models import (
    ActivityEvent,
    CleanedReason,
    OptOutSource,
    ProfileStatus,
    SourceType,
)

from . import data
from .catalog import Catalog
from .clock import Clock, PhonePool
from .columns import NULL
from .history import ACTIVE, CAMPAIGN_OPT_OUTS, OPTED_OUT, History, Sub, cumulative
from .rows import Rows

DAYS_BACK = 1095  # first seen dates spread over three years

# (fate, share of profiles)
FATES = (
    ("invalid", 8),
    ("blacklisted", 10),
    ("deactivated", 15),
    ("cleaned_soft", 5),
    ("cleaned_hard", 10),
    ("global", 22),
    ("opted_out", 80),
    ("never", 25),
    ("synced", 25),
    ("subscriber", 800),
)
GLOBAL_SOURCES = (
    (OptOutSource.STOP_WORD, 50),
    (OptOutSource.MANUAL, 15),
    (OptOutSource.PROFILE, 10),
    (OptOutSource.INBOX, 10),
    (OptOutSource.API, 10),
    (OptOutSource.FREE_TEXT, 5),
    (OptOutSource.ERASED, 5),
)
INVALID_REASONS = (
    ("Address entered as phone number", ""),
    ("Email entered as phone number", ""),
    ("Name entered as phone number", ""),
    (PhoneReason.LANDLINE, "GB"),
    (f"{PhoneReason.FOREIGN} (MX)", "MX"),
)
SOURCE_TYPES = (
    (SourceType.KEYWORD, 30),
    (SourceType.OPTED_IN, 12),
    (SourceType.WEB_FORM, 14),
    (SourceType.UPLOADED_GROUP, 10),
    (SourceType.CRM, 8),
    (SourceType.API, 7),
    (SourceType.DONATED, 3),
    (SourceType.CALLED_MCONNECT, 2),
    (SourceType.USED_MDATA, 2),
    (SourceType.INBOX, 2),
    (SourceType.UNKNOWN, 6),
)
# Sources that mean "first seen when they opted in": their first subscription starts then.
OPT_IN_SOURCES = {
    SourceType.KEYWORD,
    SourceType.OPTED_IN,
    SourceType.WEB_FORM,
    SourceType.API,
    SourceType.CALLED_MCONNECT,
    SourceType.USED_MDATA,
    SourceType.INBOX,
}
SOURCE_NAMES: dict[str, tuple[str, ...]] = {
    SourceType.OPTED_IN: ("Website signup", "Voter registration form", "Know your rights form"),
    SourceType.WEB_FORM: ("Petition: Fund Our Schools", "Newsletter footer form", "Rally RSVP"),
    SourceType.UPLOADED_GROUP: ("volunteers_2023.csv", "rally_signins.csv", "event_list_may.xlsx"),
    SourceType.CRM: ("EveryAction sync", "Salesforce NPSP sync"),
    SourceType.API: ("Partner API", "Website API"),
    SourceType.DONATED: ("Spring Fundraiser 2023", "Giving Tuesday 2024"),
    SourceType.CALLED_MCONNECT: ("Call Your Senator",),
    SourceType.USED_MDATA: ("Polling place lookup",),
    SourceType.INBOX: ("Inbox",),
    SourceType.UNKNOWN: ("",),
}
NOTES = (
    "Met at the March rally; wants to host a house party.",
    "Prefers texts in Spanish.",
    "Asked not to be called: texts only.",
    "Volunteer lead for Ward 4.",
    "Donated at the gala; send a thank-you card.",
    "Works nights, best reached on weekends.",
)
TIMES_OF_DAY = tuple(f"{h:02d}:{m:02d}" for h in range(8, 22) for m in (0, 30))
ISO_GENDERS = (("2", 48), ("1", 44), ("0", 5), ("9", 3))


class People:
    """Generates one company's profiles in chunks of rows, ready for the loader."""

    def __init__(
        self,
        catalog: Catalog,
        rows: Rows,
        clock: Clock,
        rng: random.Random,
        shard: int = 0,
        shards: int = 1,
    ) -> None:
        self.shard, self.shards = shard, shards
        self.catalog = catalog
        self.rows = rows
        self.clock = clock
        self.rng = rng
        self.history = History(catalog, rows, clock, rng)
        self.phones = PhonePool(rng, catalog.states, shard, shards)
        self.company = catalog.company_id
        self.fates = cumulative(FATES)
        self.global_sources = cumulative(GLOBAL_SOURCES)
        # A company without fundraisings or CRM syncs has no profiles first seen that way.
        self.sources = cumulative(
            tuple(
                (source, weight)
                for source, weight in SOURCE_TYPES
                if (source != SourceType.DONATED or catalog.fundraisings)
                and (source != SourceType.CRM or catalog.crm_syncs)
            )
        )
        self.precisions = cumulative(data.PRECISIONS)
        self.carriers = cumulative(data.CARRIERS)
        self.languages = cumulative(data.LANGUAGES)
        self.domains = cumulative(data.EMAIL_DOMAINS)
        self.genders = cumulative(ISO_GENDERS)
        self.campaign_active = {c.id: c.active for c in catalog.campaigns}
        self.this_year = int(clock.date(clock.now)[:4])
        self.showcase = self.showcase_list() if catalog.showcase and shard == 0 else []
        self.value_makers = {
            name: maker
            for name, maker in (
                ("Age", (0.7, self.age_value)),
                ("Favorite Issue", (0.75, lambda p: self.one(data.ISSUES))),
                ("Member Since", (0.5, lambda p: self.clock.date(p["created"]))),
                ("Anniversary", (0.35, self.anniversary_value)),
                ("Volunteer", (0.8, lambda p: "Yes" if self.rng.random() < 0.3 else "No")),
                ("Best time to text", (0.6, lambda p: self.one(TIMES_OF_DAY))),
                ("Gender", (0.7, lambda p: p["gender"] or self.pick(self.genders))),
                ("Donation pledge", (0.45, lambda p: self.one(("10", "25", "50", "100", "12.5")))),
                ("Building", (0.8, lambda p: p["street"] or "Magnolia Court")),
                ("Unit count", (0.4, lambda p: str(4 + int(self.rng.random() * 200)))),
            )
            if name in catalog.fields
        }
        self.value_fields = [
            (catalog.fields[name], share, make) for name, (share, make) in self.value_makers.items()
        ]

    def showcase_list(self) -> list[tuple]:
        """(fate, opt-out source or invalid reason, first seen type) for the first
        profiles, so that every status, reason and source shows in any demo size."""
        # The first profile is the oldest: only it is sure to predate an ended campaign.
        cases: list[tuple] = [("former", "", "")]
        cases += [("subscriber", "", s) for s in self.sources[0]]
        cases += [("invalid", reason, "") for reason in INVALID_REASONS]
        cases += [("global", source, "") for source, _ in GLOBAL_SOURCES]
        cases += [("opted_out", source, "") for source, _ in CAMPAIGN_OPT_OUTS]
        cases += [(fate, "", "") for fate in ("blacklisted", "deactivated", "cleaned_soft")]
        cases += [(fate, "", "") for fate in ("cleaned_hard", "never", "synced")]
        return cases[::-1]  # popped from the end

    def pick(self, table: tuple[list, list[int]]):
        values, weights = table
        return values[bisect.bisect(weights, self.rng.random() * weights[-1])]

    def one(self, values: Sequence[Any]):  # a tuple of choices, or a string of letters
        return values[int(self.rng.random() * len(values))]

    def chunks(self, count: int, size: int) -> Iterator[dict[str, tuple[int, str]]]:
        """This shard's share of `count` profiles (first seen in order over three
        years), `size` at a time."""
        now = self.clock.now
        start = now - DAYS_BACK * 86400
        span = now - start - 3600
        made = 0
        for n in range(self.shard, count, self.shards):
            # sqrt: sign-ups grow over time, as a growing organisation's list does.
            first_seen = start + int(span * math.sqrt((n + self.rng.random()) / count))
            self.profile(first_seen)
            made += 1
            if made % size == 0:
                yield self.rows.take()
        if made % size:
            yield self.rows.take()

    # --- one profile -----------------------------------------------------------------

    def profile(self, first_seen: int) -> None:
        rng, ts, history = self.rng, self.clock.ts, self.history
        now = self.clock.now
        pid = self.rows.new_id("profile")
        fate, forced, source = self.showcase.pop() if self.showcase else ("", "", "")
        fate = fate or self.pick(self.fates)
        source = source or self.pick(self.sources)
        phone, city = self.phones.draw()
        number_type, number_country, carrier = "fixed_or_mobile", "US", self.pick(self.carriers)
        invalid_description = ""
        if fate == "invalid":
            invalid_description, country = forced or self.one(INVALID_REASONS)
            if country:
                phone = self.phones.draw_foreign(country)
                number_country, carrier = country, ""
                number_type = "landline" if country == "GB" else "fixed_or_mobile"
        if rng.random() < 0.08:
            city = self.phones.cities[int(rng.random() * len(self.phones.cities))]  # moved
        person = self.person(city, first_seen)

        count = 1 if rng.random() < 0.72 else (2 if rng.random() < 0.8 else 3)
        if fate in ("never", "synced") or (fate == "invalid" and rng.random() < 0.5):
            count = 0
        if fate == "former":
            subs = history.subscribe_ended(first_seen)
            fate = "subscriber"
        else:
            subs = history.subscribe(pid, first_seen, count, source in OPT_IN_SOURCES)
        if not subs and fate not in ("never", "synced", "invalid"):
            fate = "never"  # nothing was open to subscribe to (first seen very recently)
        # Undeliverable numbers stop receiving at the moment of their event.
        event = None
        if subs and fate in (
            "blacklisted",
            "deactivated",
            "cleaned_soft",
            "cleaned_hard",
            "global",
        ):
            last = max(s.created for s in subs)
            event = last + 3600 + int(rng.random() * max(now - last - 7200, 1))
        profile_source, global_out = "", False
        cleaned_at, cleaned_reason, soft_bounces = None, "", 0
        erased = False
        extra: list[Sub] = []
        if fate == "blacklisted":
            profile_source = OptOutSource.BLACKLISTED
        elif fate == "deactivated":
            profile_source = OptOutSource.DEACTIVATED
        elif fate == "cleaned_soft":
            profile_source, cleaned_reason, soft_bounces = (
                OptOutSource.SOFT_BOUNCE,
                CleanedReason.SOFT_BOUNCE,
                3,
            )
        elif fate == "cleaned_hard":
            profile_source, cleaned_reason = OptOutSource.HARD_BOUNCE, CleanedReason.HARD_BOUNCE
        elif fate == "global":
            profile_source, global_out = forced or self.pick(self.global_sources), True
            erased = profile_source == OptOutSource.ERASED
        if event is not None:
            for sub in subs:
                history.opt_out(sub, event, profile_source)
            cleaned_at = event if cleaned_reason else None
        elif fate == "opted_out":
            for sub in subs:
                source_ = forced or history.pick(history.opt_outs)
                history.opt_out(sub, history.opt_out_time(sub, sub.created, source_), source_)
        elif fate == "subscriber" and subs:
            roll = rng.random()
            if roll < 0.05:
                again = history.resubscribe(subs[0])
                if again:
                    extra.append(again)
            elif roll < 0.15 and len(subs) > 1:
                sub = subs[-1]
                source_ = history.pick(history.opt_outs)
                history.opt_out(sub, history.opt_out_time(sub, sub.created, source_), source_)
        subs += extra
        opted = [s for s in subs if s.status == OPTED_OUT]
        latest = max(opted, key=lambda s: (s.opted_out_at, s.id)) if opted else None
        opted_out_at = event if event is not None else (latest.opted_out_at if latest else None)
        profile_source = profile_source or (latest.source if latest else "")

        crm_sync = crm_at = None
        syncs = self.catalog.crm_syncs
        if syncs and (fate == "synced" or source == SourceType.CRM or rng.random() < 0.06):
            crm_sync, _, synced_at = syncs[int(rng.random() * len(syncs))]
            crm_at = ts(
                max(first_seen, int(synced_at.timestamp()) - int(rng.random() * 86400 * 30))
            )
        status, description = self.status(
            invalid_description,
            fate == "blacklisted",
            fate == "deactivated",
            cleaned_reason,
            global_out,
            profile_source,
            subs,
            crm_sync,
        )
        if erased:
            person.update(first="", last="", email="", street="", street2="")

        source_name = self.source_name(source, subs)
        updated = max([first_seen, *(s.created for s in subs), opted_out_at or 0])
        p = person
        erased_at = ts(event) if erased and event is not None else NULL
        self.rows.tables["profile"].append(
            f"{pid}\t{self.company}\t{phone}\t{p['first']}\t{p['last']}\t{p['email']}\t"
            f"{p['street']}\t{p['street2']}\t{p['address']}\t{carrier}\t{number_type}\t"
            f"{number_country}\t{source}\t{source_name}\t{ts(first_seen)}\t{ts(updated)}\t"
            f"{ts(cleaned_at) if cleaned_at else NULL}\t{cleaned_reason}\t"
            f"{soft_bounces}\t{'t' if fate == 'blacklisted' else 'f'}\t"
            f"{'t' if fate == 'deactivated' else 'f'}\t{'t' if invalid_description else 'f'}\t"
            f"{invalid_description}\t{erased_at}\t{p['birthday']}\t"
            f"{p['gender']}\t{p['language']}\t{p['timezone']}\t{crm_sync or NULL}\t"
            f"{crm_at or NULL}"
        )
        self.rows.tables["state"].append(
            f"{pid}\t{status}\t{description}\t{'t' if global_out else 'f'}\t"
            f"{ts(opted_out_at) if opted_out_at else NULL}\t{profile_source}\t{ts(updated)}"
        )
        history.write_subscriptions(pid, subs)
        self.after_profile(pid, phone, person, fate, subs, event, first_seen, source)

    def after_profile(self, pid, phone, person, fate, subs, event, first_seen, source) -> None:
        rng, history = self.rng, self.history
        rcs = rng.random() < 0.06
        history.subscription_messages(pid, phone, subs, rcs)
        blocked = event if event is not None else self.clock.now
        if fate != "invalid":
            history.broadcast_messages(pid, phone, subs, rcs, blocked)
            history.conversations(pid, phone, person["first"], person["zip"], subs, blocked)
        self.fate_events(pid, phone, fate, subs, event)
        if source == SourceType.DONATED or rng.random() < 0.05:
            history.donations(pid, phone, first_seen, 1 + int(rng.random() ** 3 * 3))
        self.custom_values(pid, person)
        self.groups_and_notes(pid, first_seen, source)

    def fate_events(self, pid, phone, fate, subs, event) -> None:
        history = self.history
        if event is None:
            for sub in subs:
                if sub.status == OPTED_OUT:
                    history.opt_out_activity(
                        pid, sub.opted_out_at, sub.campaign.name, sub.source, [sub.id]
                    )
            return
        ids = [s.id for s in subs]
        source = subs[0].source
        kind = {
            "blacklisted": ActivityEvent.Kind.BLACKLISTED,
            "deactivated": ActivityEvent.Kind.DEACTIVATED,
            "cleaned_soft": ActivityEvent.Kind.CLEANED,
            "cleaned_hard": ActivityEvent.Kind.CLEANED,
        }.get(fate)
        if kind:
            history.activity(pid, kind, event, f"{ActivityEvent.Kind(kind).label}: {source}")
        history.opt_out_activity(pid, event, "all campaigns", source, ids)
        if fate in ("cleaned_soft", "cleaned_hard", "deactivated"):
            status = "Undeliverable" if fate == "deactivated" else "Failed Permanently"
            history.failures(pid, phone, subs, event, status)
        if fate == "global" and source == OptOutSource.STOP_WORD:
            history.stop_messages(pid, phone, subs[0].campaign, event, "STOP ALL")

    def status(self, invalid, blacklisted, deactivated, cleaned, global_out, source, subs, crm):
        """profiles.status rules, in the same order (first match wins)."""
        if invalid:
            return ProfileStatus.INVALID, invalid
        if blacklisted:
            return ProfileStatus.UNDELIVERABLE, OptOutSource.BLACKLISTED
        if deactivated:
            return ProfileStatus.UNDELIVERABLE, OptOutSource.DEACTIVATED
        if cleaned == CleanedReason.HARD_BOUNCE:
            return ProfileStatus.UNDELIVERABLE, OptOutSource.HARD_BOUNCE
        if cleaned:
            return ProfileStatus.UNDELIVERABLE, OptOutSource.SOFT_BOUNCE
        if global_out:
            return ProfileStatus.UNDELIVERABLE, source
        if any(s.status == ACTIVE and self.campaign_active[s.campaign.id] for s in subs):
            return ProfileStatus.ACTIVE, ""
        opted = [s for s in subs if s.status == Subscription.Status.OPTED_OUT]
        if opted:
            return ProfileStatus.OPTED_OUT, max(opted, key=lambda s: (s.opted_out_at, s.id)).source
        if subs:
            return ProfileStatus.FORMER, ""
        if crm:
            return ProfileStatus.SYNCED, ""
        return ProfileStatus.NONE, ""

    def source_name(self, source: str, subs: list[Sub]) -> str:
        if source == SourceType.KEYWORD:
            return subs[0].path.keyword if subs and subs[0].path.keyword else "JOIN"
        return self.one(SOURCE_NAMES.get(source, ("",)))

    # --- who they are ----------------------------------------------------------------

    def person(self, city: int, first_seen: int) -> dict:
        rng = self.rng
        name, state, zip_code, lat, lon = data.CITIES[city][:5]
        first, last = self.one(data.FIRST_NAMES), self.one(data.LAST_NAMES)
        email = ""
        if rng.random() < 0.85:
            style = rng.random()
            if style < 0.35:
                local = f"{first}.{last}"
            elif style < 0.6:
                local = f"{first[0]}{last}"
            elif style < 0.85:
                local = f"{first}{last}{int(rng.random() * 99)}"
            else:
                local = f"{first}_{last}"
            email = f"{local}@{self.pick(self.domains)}".lower().replace("'", "")
        roll = rng.random()
        street = street2 = ""
        if roll < 0.78:
            street = f"{1 + int(rng.random() * 9800)} {self.one(data.STREET_NAMES)}"
            if rng.random() < 0.15:
                street2 = (
                    f"{self.one(data.UNIT_PREFIXES)} {1 + int(rng.random() * 30)}{self.one('ABCD')}"
                )
            precision = self.pick(self.precisions)
            while precision in ("Place", "State"):
                precision = self.pick(self.precisions)
        elif roll < 0.9:
            precision = "Place"
        elif roll < 0.94:
            precision = "State"
        else:
            precision = ""
        # city, state, postal_code, country, then the geocoded location and districts.
        if not precision:
            address = f"\t\t\t\t{NULL}\t{NULL}\t\t\t\t\t\t\t\t\tf"
            zip_code = ""
        else:
            jitter = 0.08 if precision in ("Place", "State") else 0.04
            latitude = f"{lat + (rng.random() - 0.5) * jitter:.6f}"
            longitude = f"{lon + (rng.random() - 0.5) * jitter:.6f}"
            if precision == "State":
                zip_code = ""
                place = f"\t{state}\t\tUS\t{latitude}\t{longitude}\tState\t\t{state}\t\tUS"
            else:
                place = (
                    f"{name}\t{state}\t{zip_code}\tUS\t{latitude}\t{longitude}\t{precision}\t"
                    f"{name}\t{state}\t{zip_code}\tUS"
                )
            address = f"{place}\t{self.districts(city, state, precision)}"
        birthday = NULL
        age = None
        if rng.random() < 0.4:
            age = 18 + int(rng.random() ** 1.4 * 70)
            birthday = (
                f"{self.this_year - age - 1}-{1 + int(rng.random() * 12):02d}-"
                f"{1 + int(rng.random() * 28):02d}"
            )
        return {
            "first": first,
            "last": last,
            "email": email,
            "street": street,
            "street2": street2,
            "address": address,
            "zip": zip_code,
            "birthday": birthday,
            "age": age,
            "gender": self.pick(self.genders) if rng.random() < 0.6 else "",
            "language": self.pick(self.languages) if rng.random() < 0.7 else "",
            "timezone": data.TIMEZONE_OF_STATE.get(state, ""),
            "created": first_seen,
        }

    def districts(self, city: int, state: str, precision: str) -> str:
        """NY-12 style districts, tab-separated with split_district; a city spans a few."""
        house, senate, lower = data.STATE_SEATS[state]
        rng = self.rng
        cd = (city * 7 + int(rng.random() * 3)) % house + 1
        if precision in ("Place", "State"):
            # Too coarse for state districts; a place may straddle congressional ones.
            if precision == "State":
                return "\t\t\tf"
            return f"{state}-{cd}\t\t\t{'t' if rng.random() < 0.3 else 'f'}"
        upper = f"{state}-{(city * 13 + int(rng.random() * 4)) % senate + 1}"
        lower_d = f"{state}-{(city * 29 + int(rng.random() * 8)) % lower + 1}" if lower else ""
        return f"{state}-{cd}\t{upper}\t{lower_d}\tf"

    def age_value(self, person: dict) -> str:
        age = person["age"]
        return str(age if age is not None else 18 + int(self.rng.random() ** 1.4 * 70))

    def anniversary_value(self, person: dict) -> str:
        return f"{1 + int(self.rng.random() * 12):02d}-{1 + int(self.rng.random() * 28):02d}"

    def custom_values(self, pid: int, person: dict) -> None:
        rows, random = self.rows, self.rng.random
        add, step, value_id = rows.tables["value"].append, rows.step, rows.next_id["value"]
        updated = self.clock.ts(person["created"])
        for field_id, share, make in self.value_fields:
            if random() < share:
                add(f"{value_id}\t{pid}\t{field_id}\t{make(person)}\t{updated}")
                value_id += step
        rows.next_id["value"] = value_id

    def groups_and_notes(self, pid: int, first_seen: int, source: str) -> None:
        rng, ts, history = self.rng, self.clock.ts, self.history
        for group_id, group_name, share in self.catalog.uploaded_groups:
            if rng.random() < share * (3 if source == SourceType.UPLOADED_GROUP else 1):
                moment = first_seen + int(rng.random() * (self.clock.now - first_seen))
                membership = self.rows.new_id("membership")
                self.rows.tables["membership"].append(
                    f"{membership}\t{group_id}\t{pid}\t{ts(moment)}"
                )
                payload = f'{{"group_id": {group_id}}}'
                history.activity(
                    pid,
                    ActivityEvent.Kind.GROUP_ADDED,
                    moment,
                    f"Added to group {group_name}",
                    data=payload,
                )
        if rng.random() < 0.01:
            for _ in range(1 + int(rng.random() * 2)):
                moment = first_seen + int(rng.random() * (self.clock.now - first_seen))
                body = self.one(NOTES)
                note = self.rows.new_id("note")
                self.rows.tables["note"].append(f"{note}\t{pid}\t{body}\t{ts(moment)}")
                history.activity(pid, ActivityEvent.Kind.NOTE_ADDED, moment, body)
