from django.contrib import admin

from .models import Export, ProfileAnalysis, ProfileAnalysisRun


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "company", "status", "progress", "row_count", "created_at"]
    list_filter = ["status", "kind"]
    # A private file has no URL (the admin's file widget would link it): its name only.
    exclude = ["results_file"]
    readonly_fields = ["stored_file"]

    @admin.display(description="File (private: downloaded from the Reports page)")
    def stored_file(self, export: Export) -> str:
        return export.results_file.name or "—"


@admin.register(ProfileAnalysis)
class ProfileAnalysisAdmin(admin.ModelAdmin):
    list_display = ["name", "analysis_type", "recurring", "last_processed_at"]


@admin.register(ProfileAnalysisRun)
class ProfileAnalysisRunAdmin(admin.ModelAdmin):
    list_display = ["analysis", "ran_at", "group_size", "status"]
    exclude = ["results_file"]  # private storage has no URL for the admin's file widget
