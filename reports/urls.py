from django.urls import path

from . import views, views_analysis

app_name = "reports"

urlpatterns: list = [
    path("", views.index, name="index"),
    path("exports/profiles/", views.profiles_export, name="profiles_export"),
    path(
        "exports/profiles/<int:profile_id>/messages/",
        views.messages_export,
        name="messages_export",
    ),
    path("exports/<int:pk>/status/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("analyses/", views_analysis.analysis_list, name="analysis_list"),
    path("analyses/new/", views_analysis.analysis_create_view, name="analysis_create"),
    path("analyses/<int:pk>/", views_analysis.analysis_detail, name="analysis_detail"),
    path("analyses/<int:pk>/run/", views_analysis.analysis_run_view, name="analysis_run"),
    path("analyses/<int:pk>/delete/", views_analysis.analysis_delete_view, name="analysis_delete"),
]
