from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from profiles.admin import HistoryAdmin

from .models import (
    Broadcast,
    Campaign,
    Donation,
    Fundraising,
    Keyword,
    OptInPath,
    Subscription,
    Tag,
)
from .resources import CampaignResource


class OptInPathInline(admin.TabularInline):
    model = OptInPath
    extra = 0
    fields = ["name", "welcome_message", "active"]


@admin.register(Campaign)
class CampaignAdmin(ImportExportModelAdmin):
    resource_classes = [CampaignResource]
    list_display = ["name", "company", "active", "ended_at", "created_at"]
    list_filter = ["active", "company"]
    search_fields = ["name"]
    inlines = [OptInPathInline]


@admin.register(OptInPath)
class OptInPathAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "active"]


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    list_display = ["name", "opt_in_path", "active"]
    search_fields = ["name"]


@admin.register(Subscription)
class SubscriptionAdmin(HistoryAdmin):
    list_display = ["profile", "campaign", "status", "opt_in_source", "created_at", "opted_out_at"]
    list_filter = ["status"]
    raw_id_fields = ["profile"]
    show_full_result_count = False


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "status", "delivery_time", "recipients_count", "sent_count"]
    list_filter = ["status"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "company"]


@admin.register(Fundraising)
class FundraisingAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "company"]


@admin.register(Donation)
class DonationAdmin(HistoryAdmin):
    list_display = ["profile", "amount", "status", "fundraising", "donated_at"]
    raw_id_fields = ["profile"]
