from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from .models import (
    ActivityEvent,
    CrmSync,
    CustomField,
    CustomFieldValue,
    Group,
    GroupMembership,
    Legislator,
    Note,
    Profile,
    Suppression,
)
from .resources import GroupResource, ProfileResource


class HistoryAdmin(admin.ModelAdmin):
    """Interaction history is kept for compliance audits (seed 000): read-only here."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CustomValueInline(admin.TabularInline):
    model = CustomFieldValue
    extra = 0


@admin.register(Profile)
class ProfileAdmin(ImportExportModelAdmin):
    resource_classes = [ProfileResource]
    list_display = [
        "phone_number",
        "first_name",
        "last_name",
        "email",
        "standing__status",
        "source_type",
        "created_at",
    ]
    list_filter = ["standing__status", "source_type", "blacklisted", "deactivated", "company"]
    search_fields = ["phone_number", "first_name", "last_name", "email"]
    readonly_fields = ["subscription_status", "created_at", "updated_at"]
    show_full_result_count = False  # no COUNT(*) over millions of rows
    list_select_related = ["company", "standing"]
    raw_id_fields = ["crm_sync", "source_user"]
    inlines = [CustomValueInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # profiles are erased (GDPR), never deleted: history stays

    @admin.display(description="Subscription status")
    def subscription_status(self, profile: Profile) -> str:
        standing = profile.standing
        detail = f" ({standing.status_description})" if standing.status_description else ""
        return f"{standing.status}{detail}"


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    list_display = ["name", "field_type", "company"]
    list_filter = ["field_type", "company"]


@admin.register(Group)
class GroupAdmin(ImportExportModelAdmin):
    resource_classes = [GroupResource]
    list_display = ["name", "kind", "company", "created_at"]
    list_filter = ["kind", "company"]
    search_fields = ["name"]


@admin.register(GroupMembership)
class GroupMembershipAdmin(admin.ModelAdmin):
    list_display = ["group", "profile", "added_at"]
    raw_id_fields = ["group", "profile"]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["profile", "author", "created_at"]
    raw_id_fields = ["profile"]


@admin.register(ActivityEvent)
class ActivityEventAdmin(HistoryAdmin):
    list_display = ["profile", "kind", "channel", "origin", "actor", "created_at"]
    list_filter = ["kind", "channel"]
    raw_id_fields = ["profile"]


@admin.register(Legislator)
class LegislatorAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "office", "state", "district", "party"]
    list_filter = ["office", "state"]
    search_fields = ["last_name", "first_name"]


@admin.register(CrmSync)
class CrmSyncAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "last_synced_at"]


@admin.register(Suppression)
class SuppressionAdmin(HistoryAdmin):
    list_display = ["company", "reason", "created_at"]
