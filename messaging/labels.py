"""What people read for each message type and status.

The codes (seed 004) stay in the database, the API and exports; pages show these words.
Where seed 000 shows a name to users it is kept as written there ("direct message" for
the one-on-one type; the outgoing statuses Initial, Queued, Sent, Undeliverable,
Failed Permanently and Read (RCS)).
"""

from .models import Message, MOType, MTType

MO_TYPE_LABELS: dict[str, str] = {
    MOType.CLEAR_REQUEST: "CLEAR request",
    MOType.CALL_IN_RESPONSE: "Call-in reply",
    MOType.CALL_IN: "Repeat call-in reply",
    MOType.DEACTIVATION: "STOP ALL (every campaign)",
    MOType.DIRECT_RESPONSE: "Reply to a one-on-one message",
    MOType.DONATION_CONFIRMATION: "Donation confirmed",
    MOType.DONATION_DECLINE: "Donation declined",
    MOType.DONATION_RESPONSE: "Reply to a giving broadcast",
    MOType.DONATION: "Donation keyword",
    MOType.DUPLICATE_OPT_IN: "Opt-in keyword sent again",
    MOType.FTAF_OPT_IN_CONFIRMATION: "Tell-a-friend opt-in confirmed",
    MOType.FTAF_OPT_IN_DECLINATION: "Tell-a-friend opt-in declined",
    MOType.FTAF_RESPONSE: "Tell-a-friend reply",
    MOType.HELP_REQUEST: "HELP request",
    MOType.INFO_RESPONSE: "Answer saved to the profile",
    MOType.INVALID_CALL_IN_RESPONSE: "Call-in reply not understood",
    MOType.INVALID_DONATION_RESPONSE: "Donation reply not understood",
    MOType.INVALID_FTAF_RESPONSE: "Tell-a-friend reply not understood",
    MOType.INVALID_INFO_RESPONSE: "Answer not understood",
    MOType.INVALID_MDATA_QUERY: "mData lookup not understood",
    MOType.INVALID_QUESTION_RESPONSE: "Answer to a question not understood",
    MOType.MDATA_QUERY: "mData lookup",
    MOType.OPT_IN_CONFIRMATION: "Confirmed the opt-in (double opt-in)",
    MOType.OPT_IN_DECLINATION: "Declined the opt-in (double opt-in)",
    MOType.OPT_IN: "Opt-in keyword",
    MOType.OPT_OUT: "STOP (opt-out)",
    MOType.QUESTION_RESPONSE: "Answer to a question",
    MOType.REACTIVATION: "OOPS (re-joined)",
    MOType.REPLY: "Reply to a text",
    MOType.SIMULTANEOUS: "Duplicate arriving at the same moment",
    MOType.UNKNOWN_HELP_REQUEST: "HELP, campaign not known",
    MOType.UNKNOWN_OPT_OUT: "STOP, campaign not known",
    MOType.UNKNOWN: "Campaign not known",
    MOType.UNMATCHED: "Unmatched message",
}

MT_TYPE_LABELS: dict[str, str] = {
    MTType.REGULAR_TEXT: "Text message",
    MTType.INFO_REQUEST: "Question saving the answer",
    MTType.CALL_IN_REQUEST: "Call-in request",
    MTType.MDATA_REQUEST: "mData request",
    MTType.DONATION_REQUEST: "Donation request",
    MTType.OPT_IN_REQUEST: "Opt-in request",
    MTType.FTAF_REQUEST: "Tell-a-friend request",
    MTType.FTAF_OPT_IN_REQUEST: "Tell-a-friend opt-in request",
    MTType.QUESTION: "Question awaiting an answer",
    MTType.DIRECT_MESSAGE: "direct message",  # seed 000's own words
    MTType.BROADCAST_TEST: "Test of a broadcast",
    MTType.OPT_IN_CONFIRMATION: "Asks to confirm the opt-in",
    MTType.CLEAR_RESPONSE: "CLEAR confirmation",
    MTType.HELP_RESPONSE: "HELP reply",
    MTType.OPT_OUT_RECEIPT: "Opt-out confirmation",
    MTType.MDATA_RESPONSE: "mData answer",
    MTType.PERSISTENT_MDATA_RESPONSE: "mData answer (always on)",
    MTType.T_AND_C_MESSAGE: "Terms and conditions",
    MTType.DONATION_CONFIRMATION: "Donation receipt",
    MTType.DONATION_APPROVED: "Donation approved",
    MTType.DONATION_DECLINED: "Donation declined notice",
    MTType.DONATION_EXCEEDED: "Donation over the limit",
    MTType.DONATION_FAILURE: "Donation failed",
    MTType.DONATION_UNCONFIRMED: "Donation never confirmed",
    MTType.DUPLICATE_SUBSCRIPTION_NOTIFICATION: "Already subscribed notice",
}

# Seed 004's outgoing statuses are already words people read (seed 000 shows them).
STATUS_LABELS: dict[str, str] = {
    Message.Status.INITIAL: "Initial",
    Message.Status.QUEUED: "Queued",
    Message.Status.SENT: "Sent",
    Message.Status.UNDELIVERABLE: "Undeliverable",
    Message.Status.FAILED: "Failed Permanently",
    Message.Status.READ: "Read (RCS)",
    Message.Status.RECEIVED: "Received",
}

MO_TYPE_CHOICES: list[tuple[str, str]] = sorted(
    MO_TYPE_LABELS.items(), key=lambda item: item[1].lower()
)


def message_type_label(code: str, direction: str = "") -> str:
    """The words for a type; `direction` ("mo"/"mt") settles the codes both lists share
    (opt_in_confirmation, donation_confirmation). An unknown code is shown as it is."""
    first, second = (
        (MT_TYPE_LABELS, MO_TYPE_LABELS) if direction == "mt" else (MO_TYPE_LABELS, MT_TYPE_LABELS)
    )
    return first.get(code) or second.get(code) or code


def message_status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)
