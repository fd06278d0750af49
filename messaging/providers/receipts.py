"""Merging delivery receipts, which arrive at least once and in any order.

Providers retry webhooks and do not order them: a "sent" can come after "delivered", the
same "failed" can come three times, and the parts or recipients of one message of ours
report separately. The stored state therefore only ever moves up one order, so that
applying a receipt twice changes nothing and a late "delivered" for one part never
hides a permanent failure of another.
"""

from __future__ import annotations

from .base import Delivery, DeliveryStatus, NumberFact, StatusUpdate

# A throttled failure is superseded by the delivery of the provider's own retry; a
# permanent failure is final for the message whatever arrives after it.
_RANK_TRANSIENT_FAILURE = 2
_RANK = {DeliveryStatus.QUEUED: 0, DeliveryStatus.SENT: 1, DeliveryStatus.DELIVERED: 3}
_RANK_PERMANENT_FAILURE = 4

# Between two permanent failures, the one that says more about the number wins.
_FACT_WEIGHT = {
    None: 0,
    NumberFact.SOFT_BOUNCE: 1,
    NumberFact.HARD_BOUNCE: 2,
    NumberFact.INVALID: 3,
    NumberFact.OPTED_OUT: 4,
}


def _order(delivery: Delivery) -> tuple[int, int]:
    if delivery.status == DeliveryStatus.FAILED:
        rank = _RANK_PERMANENT_FAILURE if delivery.permanent else _RANK_TRANSIENT_FAILURE
        return rank, _FACT_WEIGHT[delivery.number_fact]
    return _RANK[delivery.status], 0


def status_merge(current: Delivery | None, update: StatusUpdate | Delivery) -> Delivery:
    """The state after `update`: the higher of the two; on a tie the one already stored."""
    incoming = update.delivery if isinstance(update, StatusUpdate) else update
    if current is None or _order(incoming) > _order(current):
        return incoming
    return current
