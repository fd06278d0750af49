from campaigns.broadcasts import broadcast_create
from campaigns.models import Broadcast
from messaging.models import Message
from profiles.models import Profile
from tests import factories

URL = "https://vote.example.com/where?x=1"


def sent_broadcast(company, profiles: list[Profile], body: str = f"Find your polls: {URL}"):
    """A broadcast with tracked links, its messages written as the fan-out writes them."""
    from messaging.services import message_send_many

    campaign = factories.make_campaign(company, name=f"Links {company.pk}")
    for profile in profiles:
        factories.make_subscription(profile, campaign)
    broadcast = broadcast_create(campaign=campaign, body=body, shorten_links=True)
    Broadcast.objects.filter(pk=broadcast.pk).update(status=Broadcast.Status.SENDING)
    message_send_many(
        company=company,
        profiles=Profile.objects.filter(pk__in=[p.pk for p in profiles]),
        body=body,
        campaign=campaign,
        broadcast=broadcast,
        enqueue=False,
        shorten_links=True,
    )
    broadcast.refresh_from_db()
    return broadcast


def short_url_of(message: Message) -> str:
    return next(word for word in message.body.split() if word.startswith("https://sc.example"))


def path_of(short_url: str) -> str:
    return short_url.removeprefix("https://sc.example.org")
