"""What the middleware stack has put on a request by the time a view sees it.

Django types `request.user` as "a user or AnonymousUser" and knows nothing of the
attributes middleware adds. These classes only declare them for the type checker; at
run time every request is still Django's own HttpRequest.

The company-scoped request (`request.company`, `request.role`) is declared next to the
middleware that sets it (`CompanyRequest` in the tenancy module): this package is the
lowest layer and may not name the Company model.
"""

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxRequest(HttpRequest):
    """Any request: django-htmx's middleware runs for every one."""

    htmx: HtmxDetails


class AuthenticatedRequest(HtmxRequest):
    """A request past LoginRequiredMiddleware: the view is not marked login_not_required."""

    user: User
