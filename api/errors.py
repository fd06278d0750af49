"""The API's error codes (seed 004, "Error Codes") and the exception that carries one.

An endpoint raises `ApiError(code, message, status)`; the `api_endpoint` decorator turns
it into `<response success="false"><error id="N" message="..."/></response>`. Statuses
follow what the failure is, so HTTP-aware clients can react without parsing the body:
400 bad parameters, 401 no or bad credentials, 403 not allowed, 404 an object that does
not exist in this company, 405 wrong HTTP method, 429 rate limited, 500 our fault.
"""

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
