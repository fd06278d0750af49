"""Who else has a conversation open, and whether they are typing.

Each open chat window posts every few seconds; the post writes one short-lived key per
conversation and agent in the cache (Redis in production) and reads the keys of the
company's other members. A key expires PRESENCE_SECONDS after the last post, so a
closed window disappears on its own, with nothing to clean up. Presence is a courtesy,
not a lock (the holder rule in inbox/conversations.py is what stops double answers):
when the cache is unreachable the window simply shows nobody and the chat works on.
"""

import logging
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import Q

from accounts.models import Company

from .conversations import user_label

logger = logging.getLogger(__name__)

# The window polls every POLL_SECONDS; a key outlives two missed polls.
POLL_SECONDS = 3
PRESENCE_SECONDS = 8
# A keystroke counts as typing for this long.
TYPING_SECONDS = 4


@dataclass(frozen=True)
class Present:
    user_id: int
    name: str
    typing: bool


def _key(conversation_id: int, user_id: int) -> str:
    return f"inbox:presence:{conversation_id}:{user_id}"


def _member_ids(company: Company) -> list[int]:
    users = get_user_model().objects.filter(
        Q(memberships__company=company) | Q(is_superuser=True), is_active=True
    )
    return list(users.values_list("pk", flat=True).distinct())


def presence_touch(
    *, company: Company, conversation_id: int, user: User, typing: bool
) -> list[Present]:
    """Say `user` is in the conversation (typing or not); return the others there."""
    now = time.time()
    try:
        cache.set(
            _key(conversation_id, user.pk),
            {"name": user_label(user), "typing_until": now + TYPING_SECONDS if typing else 0},
            PRESENCE_SECONDS,
        )
        keys = {_key(conversation_id, uid): uid for uid in _member_ids(company) if uid != user.pk}
        found = cache.get_many(list(keys))
    except Exception:  # noqa: BLE001 (any cache failure: presence is optional, chat is not)
        logger.warning("Presence unavailable: the cache did not answer", exc_info=True)
        return []
    return sorted(
        (
            Present(user_id=keys[key], name=value["name"], typing=value["typing_until"] > now)
            for key, value in found.items()
        ),
        key=lambda present: present.name,
    )


def presence_leave(*, conversation_id: int, user: User) -> None:
    try:
        cache.delete(_key(conversation_id, user.pk))
    except Exception:  # noqa: BLE001 (see presence_touch)
        logger.warning("Presence unavailable: the cache did not answer", exc_info=True)
