"""The one exception every service raises when its rules refuse something.

A `ServiceError` carries a message written for the person who asked (shown as is on a
page, in an upload's results or after the API's error text) and a `kind` that says what
sort of refusal it is. The kinds are the only thing the edges look at: a page shows the
message, the XML API turns the kind (or, where seed 004 has a finer error id, the
specific subclass) into its error code and HTTP status in one table
(api.errors). Services never know the API's codes.

This module is the bottom layer and imports nothing of ours.
"""

from enum import StrEnum
from typing import ClassVar


class ErrorKind(StrEnum):
    """What sort of refusal an error is, whatever service raised it."""

    # The input breaks a rule (a bad value, a missing field): correct it and retry.
    INVALID = "invalid"
    # It names something that does not exist, or not in the caller's company.
    NOT_FOUND = "not_found"
    # The object's current state refuses the change (a sent broadcast, a held chat).
    CONFLICT = "conflict"
    # The rules never allow it for this caller or this number (an erased number).
    FORBIDDEN = "forbidden"
    # A count or rate limit is reached.
    LIMIT = "limit"
    # Something outside the request is missing or failing (setup, keys, a provider).
    UNAVAILABLE = "unavailable"


class ServiceError(Exception):
    """A change or request the rules refuse; str(error) is the human message.

    Each domain error subclasses this and sets its class-level `kind`; a raise site may
    give another kind for one refusal (`kind=ErrorKind.CONFLICT`) when the class covers
    several sorts.
    """

    kind: ClassVar[ErrorKind] = ErrorKind.INVALID

    def __init__(self, message: str = "", *, kind: ErrorKind | None = None) -> None:
        super().__init__(message)
        if kind is not None:
            # An instance attribute shadows the class default for this one error.
            self.kind = kind  # type: ignore[misc]
