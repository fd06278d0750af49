from django.contrib import admin

from .models import BulkOptOut


@admin.register(BulkOptOut)
class BulkOptOutAdmin(admin.ModelAdmin):
    list_display = [
        "source_name",
        "company",
        "campaign",
        "status",
        "total_rows",
        "opted_out_count",
        "created_at",
    ]
    list_filter = ["status"]
