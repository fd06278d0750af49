from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from profiles.views.home import company_switch, home

urlpatterns = [
    path("", home, name="home"),
    path("company/switch/", company_switch, name="company_switch"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("profiles/", include("profiles.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("inbox/", include("inbox.urls")),
    path("reports/", include("reports.urls")),
    path("messaging/", include("messaging.urls")),
    path("api/", include("config.api_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
