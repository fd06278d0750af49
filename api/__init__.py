"""The XML REST API's shared machinery (seed 004): auth, parameters, XML, errors, limits.

Endpoints live in each app's `api.py` and are decorated with `api_endpoint`.
"""

from .endpoint import ApiCall, api_endpoint, unknown_endpoint, unsupported_endpoint
from .errors import ERROR_MESSAGES, ApiError, ErrorCodes, api_error_for, invalid, not_found
from .params import Page, Params
from .xml import fmt_iso, fmt_time, render, sub, success

__all__ = [
    "ERROR_MESSAGES",
    "ApiCall",
    "ApiError",
    "ErrorCodes",
    "Page",
    "Params",
    "api_endpoint",
    "api_error_for",
    "fmt_iso",
    "fmt_time",
    "invalid",
    "not_found",
    "render",
    "sub",
    "success",
    "unknown_endpoint",
    "unsupported_endpoint",
]
