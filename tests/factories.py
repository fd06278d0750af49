"""Builders that take domain arguments, so a test reads as the situation it sets up."""

import itertools
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Company, Membership
from campaigns.models import Campaign, Keyword, OptInPath, Subscription
from core.phones import phone_normalize
from profiles.models import Profile, ProfileState

_numbers = itertools.count(1000)


def next_phone() -> str:
    """A fresh valid US number in E.164 (the 555 exchange: never a real subscriber)."""
    n = next(_numbers)
    area = ("202", "212", "312", "415", "617", "303", "713", "206")[n // 10000 % 8]
    return f"+1{area}555{n % 10000:04d}"


def make_company(name: str = "Acme Action", *, short_code: str = "") -> Company:
    return Company.objects.create(name=name, short_code=short_code)


def make_user(username: str, *, company: Company | None, role: str = "staff", **extra: Any):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password="pw-" + username, **extra
    )
    if company is not None:
        Membership.objects.create(user=user, company=company, role=role, is_default=True)
    return user


# Columns of the profile's ProfileState row (`standing`) that a test may set directly.
STANDING_FIELDS = frozenset(f.name for f in ProfileState._meta.concrete_fields) - {"profile"}


def make_profile(company: Company, phone_number: str | None = None, **fields: Any) -> Profile:
    """A profile; standing fields (opted_out_globally, status, …) go to its state row."""
    phone = phone_normalize(phone_number or next_phone())
    assert phone.e164, f"test phone {phone_number!r} does not parse"
    defaults = {
        "carrier_name": phone.carrier_name,
        "number_type": phone.number_type,
        "number_country": phone.country,
    }
    standing = {name: fields.pop(name) for name in list(fields) if name in STANDING_FIELDS}
    defaults.update(fields)
    profile = Profile.objects.create(company=company, phone_number=phone.e164, **defaults)
    if standing:
        ProfileState.objects.filter(profile=profile).update(**standing)
    return profile


def set_standing(profile: Profile, **values: Any) -> None:
    """Write columns of the profile's state row as they are (no status refresh)."""
    ProfileState.objects.filter(profile=profile).update(**values)


def make_campaign(company: Company, name: str = "Action Alerts", **fields: Any) -> Campaign:
    return Campaign.objects.create(company=company, name=name, **fields)


def make_opt_in_path(campaign: Campaign, name: str = "Web signup", keyword: str | None = None):
    path = OptInPath.objects.create(company=campaign.company, campaign=campaign, name=name)
    if keyword:
        Keyword.objects.create(company=campaign.company, opt_in_path=path, name=keyword)
    return path


def make_subscription(profile: Profile, campaign: Campaign, *, status: str = "Active", **fields):
    now = timezone.now()
    sub = Subscription.objects.create(
        company=profile.company,
        profile=profile,
        campaign=campaign,
        status=status,
        activated_at=fields.pop("activated_at", now),
        opted_out_at=fields.pop("opted_out_at", now if status == "Opted-Out" else None),
        **fields,
    )
    from profiles.status import profile_refresh_status

    profile_refresh_status(profiles=[profile.pk])
    profile.refresh_from_db()
    return sub


_gateway_ids = itertools.count(1)


def receive_text(company: Company, phone: str, body: str, **extra: Any):
    """A text from `phone` to the company's number, as the aggregator's webhook passes it
    on, with a message id of its own unless the test gives one."""
    from messaging.inbound import message_receive

    extra.setdefault("to", company.short_code)
    extra.setdefault("gateway_message_id", f"SM{next(_gateway_ids):032x}")
    return message_receive(phone=phone, body=body, **extra)
