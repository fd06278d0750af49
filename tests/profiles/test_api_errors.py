"""Service errors and the API's error codes: kinds are mapped at the API edge only."""

import importlib

import pytest
from django.test import RequestFactory

from accounts.tenancy import Perm
from api import api_endpoint
from api.errors import ERROR_MESSAGES, KIND_ERRORS, api_error_for
from campaigns.api import BROADCAST_ERROR_CODES, broadcast_api_error
from campaigns.broadcast_rules import (
    BroadcastError,
    BroadcastGroupError,
    BroadcastStateError,
    BroadcastTimeError,
)
from core.errors import ErrorKind, ServiceError
from profiles.api import PROFILE_ERROR_CODES, write_error
from profiles.creation import ProfileSuppressed
from profiles.services_groups import GroupError, GroupKindError, GroupNameError
from tests.api_client import basic, error_of
from tests.factories import make_company, make_user

# Each kind's seed code and HTTP status when the endpoint names no finer code.
EXPECTED = [
    (ErrorKind.INVALID, 16, 400),
    (ErrorKind.NOT_FOUND, 0, 404),
    (ErrorKind.CONFLICT, 0, 400),
    (ErrorKind.FORBIDDEN, 0, 403),
    (ErrorKind.LIMIT, 17, 429),
    (ErrorKind.UNAVAILABLE, 0, 503),
]


def test_every_kind_has_a_code_and_a_status():
    assert set(KIND_ERRORS) == set(ErrorKind)
    assert {kind for kind, _, _ in EXPECTED} == set(ErrorKind)


@pytest.mark.parametrize(("kind", "code", "status"), EXPECTED)
def test_each_kind_maps_to_its_seed_code_and_status(kind, code, status):
    error = api_error_for(ServiceError("the detail", kind=kind))
    assert (error.code, error.status) == (code, status)
    assert error.message == f"{ERROR_MESSAGES[code]}: the detail"


def test_a_raise_site_kind_overrides_the_class_kind_for_that_error_only():
    assert BroadcastStateError.kind == ErrorKind.CONFLICT
    one = BroadcastStateError("x", kind=ErrorKind.NOT_FOUND)
    assert one.kind == ErrorKind.NOT_FOUND
    assert BroadcastStateError("y").kind == ErrorKind.CONFLICT


def test_the_most_specific_class_in_the_table_wins_and_its_status_follows_the_kind():
    # BroadcastGroupError is in the table (6); a group of another company is NOT_FOUND.
    foreign = BroadcastGroupError(
        "A chosen group belongs to another company.", kind=ErrorKind.NOT_FOUND
    )
    assert (broadcast_api_error(foreign).code, broadcast_api_error(foreign).status) == (6, 404)
    assert broadcast_api_error(BroadcastGroupError("Both included and excluded")).status == 400
    assert broadcast_api_error(BroadcastTimeError("past")).code == 2
    assert broadcast_api_error(BroadcastStateError("sent")).code == 23
    # The base class is not in the table: throttling takes the INVALID kind's code 16.
    assert BroadcastError not in BROADCAST_ERROR_CODES
    assert broadcast_api_error(BroadcastError("Throttling needs at least 1")).code == 16


def test_a_table_entry_may_give_the_status_too():
    # A group change the kind calls a CONFLICT answers the seed's 6 with 400.
    refused = write_error(GroupKindError("Members of a filtered group come from its search."))
    assert (refused.code, refused.status) == (6, 400)
    assert write_error(GroupNameError("A group needs a name.")).code == 18
    # Suppressed is FORBIDDEN as a kind, but the API has always answered it 5 / 400.
    erased = write_error(ProfileSuppressed("+12025550123"))
    assert (erased.code, erased.status) == (5, 400)
    assert erased.message == "+12025550123 was erased at its owner's request and cannot be added"
    assert GroupError in PROFILE_ERROR_CODES


def test_profile_writes_answer_with_the_service_message_alone():
    error = write_error(GroupNameError("A group needs a name."))
    assert error.message == "A group needs a name."


@pytest.mark.parametrize(
    "path",
    [
        "campaigns.broadcast_actions.TestSendError",
        "campaigns.broadcast_rules.BroadcastError",
        "campaigns.groups.GroupError",
        "campaigns.message_templates.MessageTemplateError",
        "campaigns.services_subscriptions.SubscriptionError",
        "campaigns.services_subscriptions.SubscriptionRefused",
        "campaigns.services_campaigns.CampaignError",
        "inbox.canned.CannedResponseError",
        "inbox.conversations.ConversationError",
        "inbox.conversations.ConversationHeld",
        "core.phone_csv.CsvError",
        "inbox.services.InboxError",
        "messaging.services_attachments.AttachmentError",
        "messaging.channels.ChannelError",
        "messaging.credentials.CredentialsUnreadable",
        "campaigns.merge_fields.MergeFieldError",
        "messaging.providers.base.WebhookRejected",
        "messaging.providers.base.ProviderConfigError",
        "messaging.revocation_services.RevocationError",
        "messaging.routing.Unroutable",
        "messaging.services.SendError",
        "messaging.services.MessageBodyError",
        "accounts.services.ApiTokenError",
        "profiles.services_attributes.PhoneNumberError",
        "profiles.services_attributes.ProfileValueError",
        "profiles.creation.ProfileSuppressed",
        "profiles.custom_fields.CustomFieldError",
        "demo.seed.DemoDataExists",
        "profiles.legislators.LegislatorFileError",
        "core.safe_urls.UnsafeUrlError",
        "profiles.services.ProfileActionError",
        "accounts.services.UserAdminError",
        "accounts.services.CompanySettingsError",
        "core.text_rules.TextError",
        "reports.analyses.AnalysisError",
    ],
)
def test_every_domain_error_is_a_service_error_without_an_api_code(path):
    module, name = path.rsplit(".", 1)
    cls = getattr(importlib.import_module(module), name)
    assert issubclass(cls, ServiceError)
    assert cls.kind in set(ErrorKind)
    assert not hasattr(cls, "code")


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def _refusing(call):
    raise GroupKindError("Members of a filtered group come from its saved search.")


@pytest.mark.django_db
def test_a_service_error_an_endpoint_does_not_translate_is_answered_by_its_kind():
    company = make_company("Kind Org")
    user = make_user("kind", company=company, role="admin")
    request = RequestFactory().get("/api/x", **basic(user.email, "pw-" + user.username))
    response = _refusing(request)
    assert response.status_code == 400  # CONFLICT, not a 500
    assert error_of(response) == (
        0,
        "Unknown error: Members of a filtered group come from its saved search.",
    )
