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
    # Private files have no URL (the admin's file widget would link them): names only.
    exclude = ["source_file", "results_file"]
    readonly_fields = ["stored_files"]

    @admin.display(description="Files (private: downloaded from the opt-out's page)")
    def stored_files(self, bulk: BulkOptOut) -> str:
        return ", ".join(name for name in (bulk.source_file.name, bulk.results_file.name) if name)
