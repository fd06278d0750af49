"""The compliance invariant, driven by random histories.

Whatever sequence of opt-ins, campaign and global opt-outs, blacklisting,
deactivating, cleaning, erasing and sends happens, a message reaches the gateway only
if the number may be messaged at the moment of delivery, and every message that may
be delivered is. The expected answer comes from a small model kept by the test, not
from the code under test.
"""

import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from campaigns.services_subscriptions import (
    SubscriptionRefused,
    profile_opt_out,
    subscription_create,
)
from messaging.bounces import profile_clean
from messaging.gateways import FakeGateway
from messaging.models import Message
from messaging.services import message_deliver, message_send
from profiles.models import CleanedReason, OptOutSource, Profile
from profiles.services import (
    ProfileActionError,
    profile_activate,
    profile_blacklist,
    profile_deactivate,
    profile_erase,
    profile_unblacklist,
)
from tests.factories import make_campaign, make_company, make_profile

_companies = itertools.count()
FLAG_SERVICES = {
    "blacklisted": (profile_blacklist, profile_unblacklist),
    "deactivated": (profile_deactivate, profile_activate),
}
PROFILES = 3
CAMPAIGNS = 2
who = st.integers(0, PROFILES - 1)
which = st.integers(0, CAMPAIGNS - 1)


class ComplianceMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.company = make_company(f"Property {next(_companies)}")
        self.campaigns = [make_campaign(self.company, f"C{j}") for j in range(CAMPAIGNS)]
        self.profiles = [make_profile(self.company) for _ in range(PROFILES)]
        # The model: what the rules say, kept independently of the code under test.
        self.subs = [[None] * CAMPAIGNS for _ in range(PROFILES)]
        self.flags = [set() for _ in range(PROFILES)]
        self.pending: list[int] = []
        FakeGateway.clear()

    def allowed(self, i: int, j: int | None) -> bool:
        if self.flags[i] & {"global", "blacklisted", "deactivated", "cleaned", "erased"}:
            return False
        return j is None or self.subs[i][j] != "opted_out"

    def _flag(self, i: int, field: str, value: bool) -> None:
        # The services every page and API call uses, not a column written directly.
        on, off = FLAG_SERVICES[field]
        profile = Profile.objects.get(pk=self.profiles[i].pk)
        try:
            (on if value else off)(profile=profile, actor=None)
        except ProfileActionError:
            # Only an erased profile refuses a flag change: it stays suppressed for good.
            assert "erased" in self.flags[i]
            return
        (self.flags[i].add if value else self.flags[i].discard)(field)

    @rule(i=who, j=which)
    def opt_in(self, i, j):
        # A keyword texted by the subscriber; a number that may not be texted is refused.
        try:
            subscription_create(
                profile=self.profiles[i],
                campaign=self.campaigns[j],
                source="test",
                subscriber_asked=True,
            )
        except SubscriptionRefused:
            return
        self.subs[i][j] = "active"
        self.flags[i].discard("global")  # an explicit opt-in lifts a global opt-out

    @rule(i=who, j=which)
    def opt_out_of_campaign(self, i, j):
        profile_opt_out(
            profile=self.profiles[i], campaign=self.campaigns[j], source=OptOutSource.INBOX
        )
        if self.subs[i][j] == "active":
            self.subs[i][j] = "opted_out"

    @rule(i=who)
    def opt_out_of_everything(self, i):
        profile_opt_out(profile=self.profiles[i], source=OptOutSource.MANUAL)
        self.subs[i] = ["opted_out" if s == "active" else s for s in self.subs[i]]
        self.flags[i].add("global")

    @rule(i=who, value=st.booleans())
    def blacklist(self, i, value):
        self._flag(i, "blacklisted", value)

    @rule(i=who, value=st.booleans())
    def deactivate(self, i, value):
        self._flag(i, "deactivated", value)

    @rule(i=who)
    def hard_bounce(self, i):
        profile_clean(profile=self.profiles[i], reason=CleanedReason.HARD_BOUNCE)
        self.flags[i].add("cleaned")

    @rule(i=who)
    def erase(self, i):
        profile = Profile.objects.get(pk=self.profiles[i].pk)
        if profile.erased_at is None:
            profile_erase(profile=profile, actor=None, confirmation=profile.phone_number)
        self.profiles[i] = profile
        self.flags[i].add("erased")

    @rule(i=who, j=st.one_of(st.none(), which))
    def send(self, i, j):
        campaign = None if j is None else self.campaigns[j]
        message = message_send(
            company=self.company, profile=self.profiles[i], body="Hi", campaign=campaign,
            enqueue=False,
        )  # fmt: skip
        if self.allowed(i, j):
            assert message.status == Message.Status.QUEUED
            self.pending.append((message.pk, i, j))
        else:
            assert message.status == Message.Status.UNDELIVERABLE
            assert message.status_reason

    @rule(data=st.data())
    def deliver_one(self, data):
        if not self.pending:
            return
        pk, i, j = self.pending.pop(data.draw(st.integers(0, len(self.pending) - 1)))
        before = FakeGateway.sent_count
        outcome = message_deliver(message_id=pk)
        status = Message.objects.get(pk=pk).status
        if self.allowed(i, j):
            assert (outcome, status) == ("sent", Message.Status.SENT)
            assert FakeGateway.sent_count == before + 1
        else:
            assert (outcome, status) == ("undeliverable", Message.Status.UNDELIVERABLE)
            assert FakeGateway.sent_count == before

    @invariant()
    def nothing_sent_twice_and_nothing_sent_unseen(self):
        if not hasattr(self, "company"):
            return
        sent = Message.objects.filter(company=self.company, status=Message.Status.SENT).count()
        assert sent == FakeGateway.sent_count


@pytest.mark.django_db
def test_no_message_ever_reaches_a_number_that_may_not_be_messaged():
    ComplianceMachine.TestCase.settings = settings(
        max_examples=60,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    ComplianceMachine.TestCase().runTest()
