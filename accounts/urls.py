"""The company's settings pages. They keep their addresses under /profiles/ (mounted
there by config.urls) so bookmarks and links already sent keep working."""

from django.urls import path

from .views import api_tokens as token_views
from .views import company_settings as company_views
from .views import users as user_views

app_name = "accounts"

urlpatterns: list = [
    path("api-tokens/", token_views.api_token_list, name="api_tokens"),
    path(
        "api-tokens/<int:token_id>/revoke/",
        token_views.api_token_revoke_view,
        name="api_token_revoke",
    ),
    path("settings/", company_views.company_settings, name="company_settings"),
    path("users/", user_views.user_list, name="users"),
    path("users/<int:membership_id>/role/", user_views.user_role, name="user_role"),
    path("users/<int:membership_id>/remove/", user_views.user_remove, name="user_remove"),
]
