"""Each campaign's count of Active subscriptions, kept by the database.

Triggers on campaigns_subscription (migration 0014) append one delta per campaign and
statement to CampaignSubscriberDelta, whatever wrote the rows. A campaign's figure is
its CampaignSubscriberCount row plus the sum of its deltas not yet folded: a handful
of rows to read instead of every active subscription. The periodic fold moves the
deltas into the counts so that the handful stays small.

A read is one statement, so it sees the fold's transaction whole or not at all: either
the old count and every delta, or the new count and the deltas written since. The
figure is the same either way, at any moment, inside any transaction.
"""

from django.db import connection, transaction
from django.db.models import BigIntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce

from .models import Campaign, CampaignSubscriberCount, CampaignSubscriberDelta


def active_count_expression(campaign: Combinable | None = None) -> Combinable:
    """The Active subscriptions of `campaign` (an expression; default the outer row)."""
    ref = campaign if campaign is not None else OuterRef("pk")
    base = CampaignSubscriberCount.objects.filter(campaign=ref).values("active")
    unfolded = (
        CampaignSubscriberDelta.objects.filter(campaign=ref)
        .order_by()
        .values("campaign")
        .annotate(n=Sum("delta"))
        .values("n")
    )
    big = BigIntegerField()
    return Coalesce(Subquery(base), Value(0), output_field=big) + Coalesce(
        Subquery(unfolded), Value(0), output_field=big
    )


def campaign_active_count(*, campaign: Campaign) -> int:
    counts = Campaign.objects.filter(pk=campaign.pk).annotate(n=active_count_expression())
    return counts.values_list("n", flat=True).first() or 0


FOLD = """
WITH folded AS (
    DELETE FROM {delta} RETURNING campaign_id, delta
), sums AS (
    SELECT f.campaign_id, SUM(f.delta) AS delta FROM folded f
    WHERE EXISTS (SELECT 1 FROM {campaign} c WHERE c.id = f.campaign_id)
    GROUP BY f.campaign_id
)
INSERT INTO {count} AS t (campaign_id, active)
SELECT campaign_id, delta FROM sums
ON CONFLICT (campaign_id) DO UPDATE SET active = t.active + EXCLUDED.active
"""

# Counts of campaigns deleted since (the demo reset, the admin): nothing reads them.
ORPHANS = """
DELETE FROM {count} t
WHERE NOT EXISTS (SELECT 1 FROM {campaign} c WHERE c.id = t.campaign_id)
"""


@transaction.atomic
def subscriber_counts_fold() -> dict[str, int]:
    """Add the deltas to their campaigns' counts and remove them, in one transaction.

    The DELETE takes exactly the deltas its snapshot sees; a delta committed meanwhile
    stays for the next fold, so none is added twice or lost. Triggers only insert, so
    the fold never waits for a subscription and a subscription never waits for it.
    Folding again at once finds no deltas and changes nothing.
    """
    tables = {
        "delta": CampaignSubscriberDelta._meta.db_table,
        "count": CampaignSubscriberCount._meta.db_table,
        "campaign": Campaign._meta.db_table,
    }
    with connection.cursor() as cursor:
        cursor.execute(FOLD.format(**tables))
        campaigns = cursor.rowcount
        cursor.execute(ORPHANS.format(**tables))
        orphans = cursor.rowcount
    return {"campaigns": campaigns, "orphans": orphans}
