from django.contrib import admin

from .models import ApiToken, Company, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "short_code", "advocacy_enabled", "created_at"]
    search_fields = ["name", "key"]
    readonly_fields = ["key"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role", "is_default"]
    list_filter = ["role", "company"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "company", "user", "created_at", "revoked_at"]
    readonly_fields = ["digest", "prefix"]
