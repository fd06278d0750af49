"""Fast timestamps and phone numbers for generated rows.

A million profiles carry about ten timestamps each; `datetime.isoformat` per value
would cost more than the rest of the row. Times are kept as integer seconds and
turned into text by two table lookups (the day, then the time of day). The text
has no offset: the database connection reads it as UTC (Django sets PostgreSQL's
session time zone to UTC).
"""

import bisect
import random
from datetime import UTC, datetime, timedelta

from .data import CITIES


class Clock:
    def __init__(self, now: datetime, days_back: int) -> None:
        self.now = int(now.timestamp())
        first_day = (now - timedelta(days=days_back + 2)).date()
        midnight = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC)
        self.base = int(midnight.timestamp())
        total_days = (self.now - self.base) // 86400 + 40
        self.days = [(first_day + timedelta(days=d)).isoformat() for d in range(total_days)]
        self.times = [
            f" {h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
        ]

    def ts(self, seconds: int) -> str:
        day, second = divmod(seconds - self.base, 86400)
        return self.days[day] + self.times[second]

    def date(self, seconds: int) -> str:
        return self.days[(seconds - self.base) // 86400]

    def at(self, moment: datetime) -> int:
        return int(moment.timestamp())


# Lines of the 555 exchange are walked in a scattered order, so that neighbouring
# profiles do not get neighbouring numbers; 7919 is prime, hence coprime with 10,000.
_LINES = 10_000
_STRIDE = 7919


class PhonePool:
    """Unique +1 AAA 555 LLLL numbers, drawn by city population, one pool per company.

    Each area code holds 10,000 numbers. When the area codes of a city are full, the
    number comes from another city's area code and the profile lives there instead.
    """

    def __init__(
        self, rng: random.Random, states: tuple[str, ...] = (), shard: int = 0, shards: int = 1
    ) -> None:
        self.rng = rng
        # Generator processes take turns through each area code's lines: no overlap.
        self.shard, self.shards = shard, shards
        self.cities = [c for c in range(len(CITIES)) if not states or CITIES[c][1] in states]
        self.cum_weights = []
        total = 0
        for c in self.cities:
            total += CITIES[c][6]
            self.cum_weights.append(total)
        self.total = total
        self.codes = [(code, c) for c in self.cities for code in CITIES[c][5]]
        self.used = dict.fromkeys((code for code, _ in self.codes), 0)
        self.lines = _LINES // shards
        self.capacity = len(self.codes) * self.lines
        self.issued = 0
        self.foreign = {"GB": 0, "MX": 0}

    def draw(self) -> tuple[str, int]:
        """A fresh number and the index (in data.CITIES) of the city it belongs to."""
        if self.issued >= self.capacity:
            raise ValueError(f"Demo phone numbers run out after {self.capacity:,} profiles.")
        rng = self.rng
        city = self.cities[bisect.bisect(self.cum_weights, rng.random() * self.total)]
        codes = CITIES[city][5]
        code = codes[int(rng.random() * len(codes))]
        if self.used[code] >= self.lines:
            code = next((c for c in codes if self.used[c] < self.lines), "")
            if not code:
                while True:
                    code, city = self.codes[int(rng.random() * len(self.codes))]
                    if self.used[code] < self.lines:
                        break
        n = self.used[code]
        self.used[code] = n + 1
        self.issued += 1
        line = ((n * self.shards + self.shard) * _STRIDE + int(code)) % _LINES
        return f"+1{code}555{line:04d}", city

    def draw_foreign(self, country: str) -> str:
        """A number that `phone_normalize` flags: a London landline or a Mexican mobile."""
        if country == "GB" and self.foreign["GB"] >= 10_000 // self.shards:
            country = "MX"  # the London range is used up
        n = self.foreign[country] * self.shards + self.shard
        self.foreign[country] += 1
        if country == "GB":
            return f"+44207946{n % 10_000:04d}"
        return f"+5255{10_000_000 + n % 1_000_000:08d}"
