from django.urls import path

from . import channel_views, channel_webhooks, views

app_name = "messaging"

urlpatterns = [
    path("inbound/", views.inbound, name="inbound"),
    path("receipts/", views.receipts, name="receipts"),
    path("channels/<str:token>/inbound/", channel_webhooks.channel_inbound, name="channel_inbound"),
    path("channels/<str:token>/status/", channel_webhooks.channel_status, name="channel_status"),
    path("numbers/", channel_views.channel_list, name="channels"),
    path("numbers/new/<str:provider>/", channel_views.channel_add, name="channel_add"),
    path("numbers/<int:pk>/", channel_views.channel_edit, name="channel_edit"),
    path(
        "numbers/<int:pk>/deactivate/",
        channel_views.channel_deactivate_view,
        name="channel_deactivate",
    ),
    path("numbers/<int:pk>/test/", channel_views.channel_test, name="channel_test"),
]
