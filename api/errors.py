"""The API's error codes (seed 004, "Error Codes") and the exception that carries one.

An endpoint raises `ApiError(code, message, status)`; the `api_endpoint` decorator turns
it into `<response success="false"><error id="N" message="..."/></response>`. Statuses
follow what the failure is, so HTTP-aware clients can react without parsing the body:
400 bad parameters, 401 no or bad credentials, 403 not allowed, 404 an object that does
not exist in this company, 405 wrong HTTP method, 429 rate limited, 500 our fault.

Services raise `core.errors.ServiceError` and know nothing of these codes: this is the
one place a refusal's kind becomes a code and a status (`api_error_for`). An endpoint
whose seed codes are finer than the kinds (a broadcast's bad time is 2, its bad body 3)
passes a table of the specific error classes it knows.
"""

from collections.abc import Mapping

from core.errors import ErrorKind, ServiceError

ERROR_MESSAGES: dict[int, str] = {
    0: "Unknown error",
    1: "Invalid campaign id",
    2: "Invalid broadcast time",
    3: "Invalid message body",
    4: "Invalid company id",
    5: "Invalid phone number",
    6: "Invalid group id",
    7: "Invalid start time",
    8: "Invalid end time",
    9: "Invalid mData id",
    10: "Invalid Key",
    11: "Phone is not opted-in to this campaign",
    12: "Invalid fundraising id",
    13: "Invalid message template",
    14: "Phone is not textable",
    15: "Invalid mConnect id",
    16: "Invalid query parameters",
    17: "Too many messages",
    18: "Invalid name",
    19: "Invalid opt-in path",
    20: "Invalid URL",
    21: "Invalid attachment",
    22: "Invalid broadcast id",
    23: "Invalid broadcast state change",
    24: "Broadcast has not been sent. Can not retrieve recipients.",
    25: "Message Template was mdata_request but campaign is not an mData",
    26: "Invalid user id",
    27: "API rate limit exceeded",
    28: "Missing phone_number parameter",
    29: "Invalid profile item save behavior",
    30: "Invalid profile attributes",
    31: "Invalid previous id",
    32: "Invalid tag name",
    33: "Invalid tag parameters",
    34: "Invalid shortcode id",
    35: "Invalid date range",
    36: "Invalid scheduled_message_id",
    37: "Message has already been sent",
}


class ApiError(Exception):
    """A refused API call: seed error `code`, a human-readable message and an HTTP status."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        status: int = 400,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.code = code
        self.message = message or ERROR_MESSAGES.get(code, ERROR_MESSAGES[0])
        self.status = status
        self.headers = headers or {}
        super().__init__(self.message)


def invalid(code: int, detail: str = "") -> ApiError:
    """A parameter that is missing or malformed (HTTP 400)."""
    base = ERROR_MESSAGES[code]
    return ApiError(code, f"{base}: {detail}" if detail else base, 400)


def not_found(code: int, detail: str = "") -> ApiError:
    """A well-formed id that names nothing in this company (HTTP 404)."""
    base = ERROR_MESSAGES[code]
    return ApiError(code, f"{base}: {detail}" if detail else base, 404)


# Each kind's seed code and HTTP status when an endpoint names no finer code. A refused
# change (CONFLICT) answers 400 as it always has: seed 004's clients read 400 as "the
# call was refused, do not retry as is" and know no 409.
KIND_ERRORS: dict[ErrorKind, tuple[int, int]] = {
    ErrorKind.INVALID: (16, 400),  # Invalid query parameters
    ErrorKind.NOT_FOUND: (0, 404),
    ErrorKind.CONFLICT: (0, 400),
    ErrorKind.FORBIDDEN: (0, 403),
    ErrorKind.LIMIT: (17, 429),  # Too many messages
    ErrorKind.UNAVAILABLE: (0, 503),
}

# What an endpoint's table maps an error class to: a seed code (status from the kind),
# or a code and a status.
ErrorCodes = Mapping[type[ServiceError], int | tuple[int, int]]


def api_error_for(
    error: ServiceError, codes: ErrorCodes | None = None, *, prefixed: bool = True
) -> ApiError:
    """The ApiError a refused service call answers with.

    The most specific class of `error` found in `codes` gives the code (and, when it
    says so, the status); otherwise its kind does. The message is the code's seed text
    followed by the service's own (`prefixed`), or the service's alone for endpoints
    whose clients have always been given that.
    """
    code, status = KIND_ERRORS[error.kind]
    for cls in type(error).__mro__:
        if codes and cls in codes:
            found = codes[cls]
            code, status = found if isinstance(found, tuple) else (found, status)
            break
    detail = str(error)
    base = ERROR_MESSAGES.get(code, ERROR_MESSAGES[0])
    if detail and prefixed:
        detail = f"{base}: {detail}"
    return ApiError(code, detail or base, status)
