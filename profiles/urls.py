from django.urls import path

from .views import custom_fields as field_views
from .views import detail as detail_views
from .views import table as table_views
from .views import tabs as tab_views

app_name = "profiles"

urlpatterns: list = [
    path("", table_views.profile_list_view, name="list"),
    path("campaign/<int:pk>/", table_views.campaign_profiles, name="campaign_profiles"),
    path("broadcast/<int:pk>/", table_views.broadcast_profiles, name="broadcast_profiles"),
    path("opt-in-path/<int:pk>/", table_views.opt_in_path_profiles, name="opt_in_path_profiles"),
    path("<int:pk>/", detail_views.profile_detail, name="detail"),
    path("<int:pk>/edit/", detail_views.profile_edit, name="edit"),
    path("<int:pk>/erase/", detail_views.profile_erase_view, name="erase"),
    path("<int:pk>/flag/<str:action>/", detail_views.profile_flag, name="flag"),
    path(
        "<int:pk>/custom-values/<int:field_id>/",
        tab_views.custom_value_save,
        name="custom_value_set",
    ),
    path(
        "<int:pk>/custom-values/<int:field_id>/delete/",
        tab_views.custom_value_remove,
        name="custom_value_delete",
    ),
    path("<int:pk>/notes/", tab_views.note_add, name="note_create"),
    path("<int:pk>/notes/<int:note_id>/delete/", tab_views.note_remove, name="note_delete"),
    path("legislators/<int:pk>/", detail_views.legislator_detail, name="legislator"),
    path("custom-fields/", field_views.custom_field_list, name="custom_fields"),
    path("custom-fields/<int:field_id>/", field_views.custom_field_edit, name="custom_field_edit"),
]
