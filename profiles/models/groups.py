from django.conf import settings
from django.db import models

from accounts.models import Company, CompanyQuerySet

from .profiles import Profile


class Group(models.Model):
    """A profile group: uploaded (explicit members) or filtered (a saved table query).

    A filtered group stores the profiles table's query string in `filter_params` and is
    evaluated when used, so it never goes stale; its members are not rows here.
    """

    class Kind(models.TextChoices):
        UPLOADED = "UploadedGroup", "Uploaded group"
        FILTERED = "FilteredGroup", "Filtered group"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="groups")
    objects = CompanyQuerySet.as_manager()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.UPLOADED)
    filter_params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    members = models.ManyToManyField(
        Profile, through="GroupMembership", related_name="profile_groups", blank=True
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["company", "name"], name="group_company_name")]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="group_memberships")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "profile"], name="group_member_unique")
        ]
        indexes = [models.Index(fields=["profile"], name="group_member_profile")]
