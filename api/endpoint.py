"""`api_endpoint`: what every API view shares.

Order matters: method check, authentication (with the failed-login throttle), company
and role, then a concurrency slot held while the endpoint runs. Every failure, expected
(`ApiError`, or a service's `ServiceError` mapped by its kind) or not, leaves as the
seed's error XML: a client written for Mobile Commons
parses `<response success="false">`, never an HTML error page.
"""

import logging
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from lxml.etree import _Element as Element

from accounts.tenancy import Perm, TenantRequest, has_perm
from core.errors import ServiceError

from .auth import Caller, caller_for
from .concurrency import concurrency_slot
from .errors import ERROR_MESSAGES, ApiError, api_error_for
from .params import Params
from .xml import error_response, render

log = logging.getLogger(__name__)


class ApiCall:
    """What an endpoint receives: the request, its caller and its parameters."""

    def __init__(self, request: HttpRequest, caller: Caller, params: Params) -> None:
        self.request = request
        self.user = caller.user
        self.company = caller.company
        self.role = caller.role
        self.token = caller.token
        self.params = params

    def allowed(self, perm: Perm) -> bool:
        return has_perm(self.role, perm)

    def require(self, perm: Perm) -> None:
        if not self.allowed(perm):
            raise ApiError(0, f"Your role does not allow this call (needs {perm.value})", 403)


Endpoint = Callable[[ApiCall], Element | HttpResponse]


def api_endpoint(*, methods: Iterable[str], perm: Perm) -> Callable[[Endpoint], Callable]:
    allowed = {m.upper() for m in methods}
    if "GET" in allowed:
        allowed.add("HEAD")

    def decorator(endpoint: Endpoint) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @login_not_required
        @wraps(endpoint)
        def view(request: TenantRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in allowed:
                    names = " or ".join(sorted(allowed - {"HEAD"}))
                    raise ApiError(0, f"Use HTTP {names} for this call", 405)
                params = Params(request)
                params.refuse_control_characters()
                caller = caller_for(request, params.get("company"))
                call = ApiCall(request, caller, params)
                call.require(perm)
                request.user = caller.user
                request.company = caller.company
                request.role = caller.role
                # The slot is held until the answer is rendered: the XML of a page of
                # profiles costs as much as its queries, and a call is in flight until
                # its answer exists.
                with concurrency_slot(caller.company.pk):
                    result = endpoint(call)
                    return result if isinstance(result, HttpResponse) else render(result)
            except ApiError as error:
                return error_response(error)
            except ServiceError as error:
                # A refusal the endpoint did not translate itself: its kind says which
                # seed code and status (a refused call, not our fault: never a 500).
                return error_response(api_error_for(error))
            except SuspiciousOperation as error:
                # Too many fields (10,000 phone_number[] values) or too large a body:
                # Django refuses to parse it; the client gets the seed's error 16.
                message = f"Invalid query parameters: {error}"
                return error_response(ApiError(16, message[:300], 400))
            except Exception:
                log.exception("API call %s failed", request.path)
                return error_response(ApiError(0, "Unknown error", 500))

        view.api_methods = allowed  # type: ignore[attr-defined]  # read by the URL listing's method check; functions take attributes
        return view

    return decorator


def unsupported_endpoint(feature: str, code: int = 0) -> Callable[..., HttpResponse]:
    """A seed endpoint for a feature the product does not have (mConnect, mData, …).

    Answers with the seed's error shape and HTTP 404 (there is no such object here), with
    the seed code that fits (9 Invalid mData id, 15 Invalid mConnect id, …), so a client
    fails clearly and does not retry as it might on a 5xx.
    """

    @csrf_exempt
    @login_not_required
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        message = f"{ERROR_MESSAGES[code]}: this server does not support {feature}"
        return error_response(ApiError(code, message, status=404))

    return view


@csrf_exempt
@login_not_required
def unknown_endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other path under /api/: the seed's error shape with HTTP 404, whatever DEBUG says.

    Seed 004 has no code for an unknown endpoint; 0 (Unknown error) is the code this API
    already gives a call it cannot serve (a wrong HTTP method), and the message names the
    path. A client written for Mobile Commons parses the XML instead of an HTML page.
    """
    path = request.path[:100]
    return error_response(ApiError(0, f"Unknown error: there is no API call at {path}", 404))
