"""The tables the demo generator fills row by row, with the columns it writes.

Each generated row is one line of PostgreSQL's COPY text format, values in the order
listed here: tab-separated, NULL written as \\N, booleans as t/f. Building the line
with one f-string is the cheapest way Python has to produce a row, and COPY reads
it as is; on other databases the loader splits the lines back into values. Every
generated text is ours (names, bodies, addresses), none holds a tab, newline or
backslash, so nothing needs escaping.

The lists below are the generator's layout, one f-string's order each; demo.columns
checks them against the models' metadata before every load: each listed column must
exist, and each column a model has beyond them (added by a later migration) is filled
with its default, its database default or NULL, or the seed stops and names it.
"""

from campaigns.models import Donation, Subscription
from messaging.models import Message
from profiles.models import (
    ActivityEvent,
    CustomFieldValue,
    GroupMembership,
    Note,
    Profile,
    ProfileState,
)

PROFILE_COLUMNS = [
    "id",
    "company_id",
    "phone_number",
    "first_name",
    "last_name",
    "email",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "precision",
    "geocoded_city",
    "geocoded_state",
    "geocoded_postal_code",
    "geocoded_country",
    "congressional_district",
    "state_upper_district",
    "state_lower_district",
    "split_district",
    "carrier_name",
    "number_type",
    "number_country",
    "source_type",
    "source_name",
    "created_at",
    "updated_at",
    "cleaned_at",
    "cleaned_reason",
    "consecutive_soft_bounces",
    "blacklisted",
    "deactivated",
    "invalid_data",
    "invalid_data_description",
    "erased_at",
    "birthday",
    "gender",
    "language",
    "timezone",
    "crm_sync_id",
    "crm_synced_at",
]

# Written before the chunk's profiles: the trigger that gives every new profile a
# default state row (migration 0006) then finds the generated one and keeps it.
STATE_COLUMNS = [
    "profile_id",
    "status",
    "status_description",
    "opted_out_globally",
    "opted_out_at",
    "opted_out_source",
    "updated_at",
]

VALUE_COLUMNS = ("id", "profile_id", "field_id", "value", "updated_at")

SUBSCRIPTION_COLUMNS = [
    "id",
    "company_id",
    "profile_id",
    "campaign_id",
    "opt_in_path_id",
    "status",
    "opt_in_source",
    "created_at",
    "activated_at",
    "opted_out_at",
    "opt_out_source",
    "via_api",
]

MESSAGE_COLUMNS = [
    "id",
    "company_id",
    "profile_id",
    "phone_number",
    "direction",
    "message_type",
    "body",
    "media_url",
    "campaign_id",
    "broadcast_id",
    "keyword_id",
    "originator",
    "originator_type",
    "channel",
    "status",
    "status_reason",
    "encoding",
    "segments",
    "multipart",
    "attempts",
    "gateway_message_id",
    "error_code",
    "in_reply_to_id",
    "created_at",
    "sent_at",
    "received_at",
    "updated_at",
    "delivered_at",
]

DONATION_COLUMNS = [
    "id",
    "company_id",
    "profile_id",
    "fundraising_id",
    "amount",
    "description",
    "status",
    "donated_at",
]

MEMBERSHIP_COLUMNS = ("id", "group_id", "profile_id", "added_at")

ACTIVITY_COLUMNS = [
    "id",
    "company_id",
    "profile_id",
    "kind",
    "channel",
    "origin",
    "description",
    "data",
    "created_at",
]

NOTE_COLUMNS = ("id", "profile_id", "body", "created_at")

# Written in this order: every table after the profiles refers to them.
TABLES = {
    "state": (ProfileState, STATE_COLUMNS),
    "profile": (Profile, PROFILE_COLUMNS),
    "value": (CustomFieldValue, VALUE_COLUMNS),
    "subscription": (Subscription, SUBSCRIPTION_COLUMNS),
    "message": (Message, MESSAGE_COLUMNS),
    "donation": (Donation, DONATION_COLUMNS),
    "membership": (GroupMembership, MEMBERSHIP_COLUMNS),
    "activity": (ActivityEvent, ACTIVITY_COLUMNS),
    "note": (Note, NOTE_COLUMNS),
}


class Rows:
    """One chunk's lines per table, and the ids that keep counting across chunks.

    Several generator processes share the id ranges by taking every `shards`-th id,
    starting at `first + shard`, so their rows never collide and need no coordination.
    """

    def __init__(self, first_ids: dict[str, int], shard: int = 0, shards: int = 1) -> None:
        self.next_id = {name: first + shard for name, first in first_ids.items()}
        self.step = shards
        self.tables: dict[str, list[str]] = {name: [] for name in TABLES}

    def new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + self.step
        return value

    def take(self) -> dict[str, tuple[int, str]]:
        """The chunk so far, per table: (number of rows, their lines as one text)."""
        tables = self.tables
        self.tables = {name: [] for name in TABLES}
        return {
            name: (len(lines), "\n".join(lines) + "\n") for name, lines in tables.items() if lines
        }
