from django.urls import path

from . import bulk_views, canned_views, conversation_views, revocation_views, views

app_name = "inbox"

urlpatterns = [
    path("", conversation_views.index, name="index"),
    path("messages/", views.messages_table, name="messages"),
    path("chat/<int:profile_id>/", views.chat, name="chat"),
    path("chat/<int:profile_id>/messages/", views.chat_messages, name="chat_messages"),
    path("chat/<int:profile_id>/send/", views.chat_send_view, name="chat_send"),
    path("chat/<int:profile_id>/presence/", conversation_views.presence, name="chat_presence"),
    path("conversations/<int:pk>/claim/", conversation_views.claim, name="conversation_claim"),
    path(
        "conversations/<int:pk>/release/",
        conversation_views.release,
        name="conversation_release",
    ),
    path(
        "conversations/<int:pk>/take-over/",
        conversation_views.take_over,
        name="conversation_take_over",
    ),
    path("conversations/<int:pk>/assign/", conversation_views.assign, name="conversation_assign"),
    path("conversations/<int:pk>/close/", conversation_views.close, name="conversation_close"),
    path("conversations/<int:pk>/tags/", conversation_views.tag_add, name="conversation_tag_add"),
    path(
        "conversations/<int:pk>/tags/<int:tag_id>/remove/",
        conversation_views.tag_remove,
        name="conversation_tag_remove",
    ),
    path(
        "conversations/<int:pk>/notes/", conversation_views.note_add, name="conversation_note_add"
    ),
    path("canned-responses/", canned_views.canned_list, name="canned_responses"),
    path("canned-responses/<int:pk>/", canned_views.canned_edit, name="canned_edit"),
    path("canned-responses/<int:pk>/delete/", canned_views.canned_delete, name="canned_delete"),
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
