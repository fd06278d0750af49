"""The Django admin, for platform operators only.

The admin's ModelAdmins see every company's rows: they are not scoped by tenancy. So
the site itself admits only active superusers; a company role (even Admin) never
reaches it, whatever `is_staff` or model permissions a user was once given. Everything
a company Admin does is on the product's own pages, which are scoped by
`accounts.tenancy`.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class OperatorAdminSite(AdminSite):
    site_header = "Shortcode administration"
    site_title = "Shortcode"
    index_title = "Platform administration"

    def has_permission(self, request: HttpRequest) -> bool:
        # Every admin view (changelists, change pages, exports, autocomplete, "view on
        # site") passes through admin_view, which sends anyone refused here to the
        # admin's sign-in page instead of the view.
        user = request.user
        return bool(user.is_active and user.is_superuser)


class OperatorAdminConfig(AdminConfig):
    default_site = "config.admin_site.OperatorAdminSite"
