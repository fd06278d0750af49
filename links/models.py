"""Tracked links and their clicks.

A `TrackedLink` is one long URL of a message body, shortened on SHORT_LINK_DOMAIN. No row
is written per recipient: each recipient's URL carries a token derived from the link and
the profile (links.tokens), computed in SQL when a broadcast's rows are written. A
`Click` row appears only when someone follows a link.
"""

from django.db import models
from django.db.models import Q

from accounts.models import Company, CompanyQuerySet
from profiles.models import Profile

CODE_LENGTH = 6


class TrackedLink(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    objects = CompanyQuerySet.as_manager()
    url = models.URLField(max_length=2000)
    # Random, fixed length (links.tokens): the first characters of every token.
    code = models.CharField(max_length=CODE_LENGTH, unique=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    broadcast = models.ForeignKey(
        "campaigns.Broadcast",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tracked_links",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One link per URL of a broadcast (a rerun chunk reuses it), and one per URL
            # for everything sent outside broadcasts.
            models.UniqueConstraint(
                fields=["company", "broadcast", "url"],
                condition=Q(broadcast__isnull=False),
                name="tracked_link_once_per_broadcast",
            ),
            models.UniqueConstraint(
                fields=["company", "url"],
                condition=Q(broadcast__isnull=True),
                name="tracked_link_once_outside_broadcasts",
            ),
        ]

    def __str__(self) -> str:
        return self.url


class Click(models.Model):
    """One followed link. `click_key` is minted by the redirect, so a click that the
    queue hands over twice (a drain that died before trimming) is stored once."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    objects = CompanyQuerySet.as_manager()
    # The composite indexes below serve the foreign keys too.
    link = models.ForeignKey(
        TrackedLink, on_delete=models.PROTECT, db_index=False, related_name="clicks"
    )
    profile = models.ForeignKey(
        Profile,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="clicks",
    )
    click_key = models.UUIDField(unique=True)
    token = models.CharField(max_length=40)
    clicked_at = models.DateTimeField()
    user_agent = models.CharField(max_length=500, blank=True, default="")
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    referer = models.CharField(max_length=1000, blank=True, default="")

    class Meta:
        ordering = ["-clicked_at", "-id"]
        indexes = [
            models.Index(fields=["link", "clicked_at"], name="click_link_time"),
            models.Index(
                fields=["profile", "-clicked_at"],
                name="click_profile_time",
                condition=Q(profile__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.link_id} at {self.clicked_at:%Y-%m-%d %H:%M}"
