from django.urls import path

from . import bulk_views, revocation_views, views

app_name = "inbox"

urlpatterns = [
    path("", views.index, name="index"),
    path("chat/<int:profile_id>/", views.chat, name="chat"),
    path("chat/<int:profile_id>/messages/", views.chat_messages, name="chat_messages"),
    path("chat/<int:profile_id>/send/", views.chat_send_view, name="chat_send"),
    path("messages/<int:message_id>/respond/", views.respond, name="respond"),
    path("messages/<int:message_id>/opt-out/", views.opt_out, name="opt_out"),
    path("emoji.json", views.emoji_aliases, name="emoji_aliases"),
    path("opt-out/", bulk_views.bulk_opt_out, name="bulk_opt_out"),
    path("opt-out/<int:pk>/", bulk_views.bulk_opt_out_detail, name="bulk_opt_out_detail"),
    path("opt-out/<int:pk>/confirm/", bulk_views.bulk_opt_out_confirm, name="bulk_opt_out_confirm"),
    path(
        "opt-out/<int:pk>/results.csv",
        bulk_views.bulk_opt_out_results,
        name="bulk_opt_out_results",
    ),
    path("opt-out/<int:pk>/list.csv", bulk_views.bulk_opt_out_source, name="bulk_opt_out_source"),
    path("opt-out-review/", revocation_views.opt_out_review, name="opt_out_review"),
    path(
        "opt-out-review/<int:pk>/decide/",
        revocation_views.opt_out_review_decide,
        name="opt_out_review_decide",
    ),
    path("revocations/", revocation_views.revocation_report_page, name="revocation_report"),
    path("revocations.csv", revocation_views.revocation_report_csv, name="revocation_report_csv"),
]
