"""The profile page's Subscriptions actions, under /profiles/ in the `profiles` namespace.

config/urls.py adds these to the profiles URLs: the addresses and names stay the
profile page's while the views are campaigns'.
"""

from django.urls import path

from .views import profile_tabs

urlpatterns: list = [
    path(
        "<int:pk>/subscriptions/<int:sub_id>/opt-out/",
        profile_tabs.subscription_opt_out,
        name="subscription_opt_out",
    ),
    path(
        "<int:pk>/subscriptions/<int:sub_id>/reactivate/",
        profile_tabs.subscription_reactivate_view,
        name="subscription_reactivate",
    ),
    path(
        "<int:pk>/subscriptions/history/<int:campaign_id>/",
        profile_tabs.subscription_history_view,
        name="subscription_history",
    ),
]
