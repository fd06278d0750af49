"""Pages of the profiles table that stay fast at a million profiles.

Two costs dominate a naive paginator at that size, and both are avoided here:

* the total. An exact COUNT(*) over a million rows on every page view takes longer
  than the page itself, so an unfiltered list shows the planner's estimate (the same
  statistics PostgreSQL plans with, kept fresh by autovacuum's ANALYZE), and a
  filtered list counts exactly only up to COUNT_CAP rows ("10,000+" beyond). The
  page's ids are read first: a list that fits on its first page needs no count;
* deep pages. `OFFSET 500000` over full rows reads half a million heap tuples, so
  the page first picks its ids from the sort index (an index-only scan of
  profile_first_seen: company, -created_at, -id), then loads just those rows.
"""

import math
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import QuerySet

from .models import Profile

COUNT_CAP = 10_000
PER_PAGE_CHOICES = (25, 50, 100)
DEFAULT_PER_PAGE = 25


@dataclass
class ProfilePage:
    rows: list[Profile]
    number: int
    per_page: int
    total: int
    total_exact: bool  # False: a planner estimate or a capped count
    total_capped: bool
    has_next: bool
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)

    @property
    def total_label(self) -> str:
        if self.total_capped:
            return f"{COUNT_CAP:,}+"
        if not self.total_exact:
            return f"about {self.total:,}"
        return f"{self.total:,}"


def estimated_count(queryset: QuerySet) -> int | None:
    """The planner's row estimate for the queryset."""
    connection = connections[queryset.db]
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # a driver that does not decode json
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def capped_count(queryset: QuerySet, cap: int | None = None) -> int:
    """COUNT(*) over at most cap + 1 rows: SELECT COUNT(*) FROM (... LIMIT cap + 1)."""
    cap = cap or COUNT_CAP
    return queryset.order_by().values("pk")[: cap + 1].count()


def parse_positive(value: Any, default: int) -> int:
    try:
        number = int(str(value).strip().replace(",", ""))
    except (TypeError, ValueError):
        return default
    return number if number >= 1 else default


def profile_page(
    queryset: QuerySet[Profile], *, number: Any, per_page: Any, filtered: bool
) -> ProfilePage:
    """One page of an ordered profiles queryset, with a total that never scans the table."""
    per_page = parse_positive(per_page, DEFAULT_PER_PAGE)
    if per_page not in PER_PAGE_CHOICES:
        per_page = DEFAULT_PER_PAGE
    number = parse_positive(number, 1)

    def page_ids(number: int) -> list[int]:
        offset = (number - 1) * per_page
        return list(queryset.values_list("pk", flat=True)[offset : offset + per_page + 1])

    ids = page_ids(number)
    if number == 1 and len(ids) <= per_page:
        # The whole list fits on its first page (a narrow search, a small filter):
        # the rows are the total, and no count is needed at all.
        total, exact, capped = len(ids), True, False
    else:
        estimate = None if filtered else estimated_count(queryset)
        if estimate is not None and estimate > COUNT_CAP:
            total, exact, capped = estimate, False, False
        else:
            total = capped_count(queryset)
            exact, capped = total <= COUNT_CAP, total > COUNT_CAP
            total = min(total, COUNT_CAP)
        last = max(1, math.ceil(total / per_page))
        if exact and number > last:
            number = last  # past the end of an exactly counted list: its last page
            ids = page_ids(number)

    offset = (number - 1) * per_page
    has_next = len(ids) > per_page
    ids = ids[:per_page]
    by_id = Profile.objects.select_related("crm_sync", "standing").in_bulk(ids)
    rows = [by_id[pk] for pk in ids if pk in by_id]
    if not exact and not has_next and rows:
        # The estimate was off (or the cap hid the end): this is the last page.
        total, exact, capped = offset + len(rows), True, False
    return ProfilePage(
        rows=rows,
        number=number,
        per_page=per_page,
        total=total,
        total_exact=exact,
        total_capped=capped,
        has_next=has_next,
    )
