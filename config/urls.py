from django.contrib import admin
from django.urls import include, path

from accounts.views.company_switch import company_switch
from campaigns import urls_profile as campaigns_profile_urls
from profiles import urls as profiles_urls
from reports.views_dashboard import broadcast_report, home

urlpatterns = [
    path("", home, name="home"),
    path("company/switch/", company_switch, name="company_switch"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("profiles/", include("accounts.urls")),  # the company settings pages
    # The profile page's Subscriptions actions are campaigns' views under the profile's
    # addresses and `profiles:` names (profiles may not import campaigns).
    path(
        "profiles/",
        include(
            (profiles_urls.urlpatterns + campaigns_profile_urls.urlpatterns, profiles_urls.app_name)
        ),
    ),
    # A broadcast's report is drawn by the reports app from its aggregates; it lives
    # under the broadcast's own address (and before campaigns' catch-all actions).
    path("campaigns/broadcasts/<int:pk>/report/", broadcast_report, name="broadcast_report"),
    path("campaigns/", include("campaigns.urls")),
    path("inbox/", include("inbox.urls")),
    path("reports/", include("reports.urls")),
    path("messaging/", include("messaging.urls")),
    path("api/", include("config.api_urls")),
    path("", include("links.urls")),  # tracked links' redirect (public), last
]

# No route serves MEDIA_URL or PRIVATE_ROOT, not even with DEBUG on: exports, uploaded
# lists, their results and outboxes leave only through views that check company and
# role (core.private_files).
