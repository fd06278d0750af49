from django.urls import path

from .views import (
    broadcast_confirm,
    broadcasts,
    broadcasts_preview,
    campaigns,
    flows,
    groups,
    message_templates,
)

app_name = "campaigns"

urlpatterns = [
    path("", campaigns.campaign_list_view, name="list"),
    path("new/", campaigns.campaign_create_view, name="create"),
    path("<int:pk>/", campaigns.campaign_detail, name="detail"),
    path("<int:pk>/edit/", campaigns.campaign_edit, name="edit"),
    path("<int:pk>/end/", campaigns.campaign_end_view, name="end"),
    path("<int:pk>/opt-in-paths/", campaigns.opt_in_path_create_view, name="opt_in_path_create"),
    path("<int:pk>/opt-in-paths/<int:path_id>/", flows.opt_in_path_detail, name="opt_in_path"),
    path(
        "<int:pk>/opt-in-paths/<int:path_id>/settings/",
        flows.opt_in_path_settings,
        name="opt_in_path_settings",
    ),
    path("<int:pk>/opt-in-paths/<int:path_id>/steps/", flows.flow_step_add, name="flow_step_add"),
    path(
        "<int:pk>/opt-in-paths/<int:path_id>/steps/<int:step_id>/",
        flows.flow_step_edit,
        name="flow_step_edit",
    ),
    path(
        "<int:pk>/opt-in-paths/<int:path_id>/steps/<int:step_id>/delete/",
        flows.flow_step_delete_view,
        name="flow_step_delete",
    ),
    path(
        "<int:pk>/opt-in-paths/<int:path_id>/steps/<int:step_id>/<str:direction>/",
        flows.flow_step_move_view,
        name="flow_step_move",
    ),
    path("<int:pk>/keywords/", campaigns.keyword_create_view, name="keyword_create"),
    path("<int:pk>/keywords/<int:keyword_id>/end/", campaigns.keyword_end_view, name="keyword_end"),
    path(
        "<int:pk>/templates/new/",
        message_templates.message_template_new,
        name="message_template_create",
    ),
    path(
        "<int:pk>/templates/<int:template_id>/",
        message_templates.message_template_edit,
        name="message_template_edit",
    ),
    path(
        "<int:pk>/templates/<int:template_id>/delete/",
        message_templates.message_template_remove,
        name="message_template_delete",
    ),
    path("<int:pk>/broadcasts/new/", broadcasts.broadcast_new, name="broadcast_create"),
    path(
        "<int:pk>/broadcasts/preview/",
        broadcasts_preview.compose_preview_view,
        name="compose_preview",
    ),
    path(
        "<int:pk>/broadcasts/estimate/",
        broadcasts.broadcast_estimate_view,
        name="broadcast_estimate",
    ),
    path("<int:pk>/broadcasts/test/", broadcast_confirm.compose_test, name="compose_test"),
    path("broadcasts/", broadcasts.broadcast_list_view, name="broadcast_list"),
    path("broadcasts/<int:pk>/", broadcasts.broadcast_detail, name="broadcast_detail"),
    path("broadcasts/<int:pk>/edit/", broadcasts.broadcast_edit, name="broadcast_edit"),
    path("broadcasts/<int:pk>/test/", broadcast_confirm.broadcast_test, name="broadcast_test"),
    path(
        "broadcasts/<int:pk>/confirm/<str:action>/",
        broadcast_confirm.broadcast_confirm,
        name="broadcast_confirm",
    ),
    path("broadcasts/<int:pk>/<str:action>/", broadcasts.broadcast_state, name="broadcast_state"),
    path("groups/", groups.group_list_view, name="group_list"),
    path("groups/new/", groups.group_create_view, name="group_create"),
    path("groups/<int:pk>/", groups.group_detail, name="group_detail"),
    path("groups/<int:pk>/delete/", groups.group_delete_view, name="group_delete"),
    path(
        "groups/<int:pk>/uploads/<int:upload_pk>/",
        groups.group_upload_status,
        name="group_upload",
    ),
    path(
        "groups/<int:pk>/uploads/<int:upload_pk>/results.csv",
        groups.group_upload_results,
        name="group_upload_results",
    ),
    path(
        "groups/<int:pk>/uploads/<int:upload_pk>/upload.csv",
        groups.group_upload_source,
        name="group_upload_source",
    ),
    path(
        "groups/<int:pk>/members/<str:action>/",
        groups.group_members_change,
        name="group_members",
    ),
    path(
        "groups/<int:pk>/members/<int:profile_id>/remove/",
        groups.group_member_remove,
        name="group_member_remove",
    ),
]
