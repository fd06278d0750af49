"""Merge fields in an opt-in path's texts: refused at save when unknown, filled in per
recipient when the flow sends them."""

import pytest

from accounts.models import Company
from campaigns.flow_setup import flow_step_create, opt_in_path_update
from campaigns.models import FlowStep, OptInPath
from campaigns.services_campaigns import CampaignError
from messaging.models import Message, MTType
from profiles.models import CustomField, CustomFieldType
from tests.factories import make_campaign, make_opt_in_path, make_profile, receive_text

pytestmark = pytest.mark.django_db

MARIA = "+12025550161"
STRANGER = "+12025550162"


@pytest.fixture
def age(company):
    return CustomField.objects.create(company=company, name="Age", field_type=CustomFieldType.AGE)


@pytest.fixture
def path(company, age):
    path = make_opt_in_path(make_campaign(company, "Alerts"), "Signup", keyword="JOIN")
    opt_in_path_update(
        path=path,
        name="Signup",
        welcome_message="Welcome, {{first_name|friend}}!",
        double_opt_in=False,
        confirmation_text="",
        confirmation_window_hours=24,
    )
    flow_step_create(
        path=path,
        kind=FlowStep.Kind.QUESTION,
        body="{{first_name|Friend}}, how old are you?",
        retry_text="Your age in years, {{ first_name | friend }}.",
        custom_field=age,
    )
    flow_step_create(
        path=path, kind=FlowStep.Kind.MESSAGE, body="Thanks {{first_name|friend}}: {{Age|?}}."
    )
    return path


def _receive(phone, body):
    return receive_text(Company.objects.get(name="Acme Action"), phone, body)


def _sent(phone):
    return list(
        Message.objects.filter(phone_number=phone, direction=Message.Direction.MT)
        .order_by("id")
        .values_list("message_type", "body")
    )


def test_each_flow_text_has_the_persons_name_or_the_fallback(path, company):
    make_profile(company, MARIA, first_name="Maria")
    for phone in (MARIA, STRANGER):
        _receive(phone, "JOIN")
        _receive(phone, "old enough")  # not an age: the retry text
        _receive(phone, "34")
    assert _sent(MARIA) == [
        (MTType.REGULAR_TEXT, "Welcome, Maria!"),
        (MTType.QUESTION, "Maria, how old are you?"),
        (MTType.QUESTION, "Your age in years, Maria."),
        (MTType.REGULAR_TEXT, "Thanks Maria: 34."),  # the answer just saved
    ]
    assert _sent(STRANGER) == [
        (MTType.REGULAR_TEXT, "Welcome, friend!"),
        (MTType.QUESTION, "Friend, how old are you?"),
        (MTType.QUESTION, "Your age in years, friend."),
        (MTType.REGULAR_TEXT, "Thanks friend: 34."),
    ]


def test_the_confirmation_request_of_a_double_opt_in_is_filled_in(path, company):
    make_profile(company, MARIA, first_name="Maria")
    opt_in_path_update(
        path=path,
        name="Signup",
        welcome_message=path.welcome_message,
        double_opt_in=True,
        confirmation_text="{{first_name|Hi}}, reply Y to confirm.",
        confirmation_window_hours=24,
    )
    _receive(MARIA, "JOIN")
    _receive(STRANGER, "JOIN")
    assert _sent(MARIA) == [(MTType.OPT_IN_CONFIRMATION, "Maria, reply Y to confirm.")]
    assert _sent(STRANGER) == [(MTType.OPT_IN_CONFIRMATION, "Hi, reply Y to confirm.")]


def test_a_step_whose_custom_field_was_deleted_since_goes_out_with_its_fallback(path, company):
    CustomField.objects.create(company=company, name="Team")
    flow_step_create(path=path, kind=FlowStep.Kind.MESSAGE, body="Go {{Team|team}}!")
    FlowStep.objects.filter(kind=FlowStep.Kind.QUESTION).delete()
    CustomField.objects.filter(name="Team").delete()
    _receive(STRANGER, "JOIN")
    assert _sent(STRANGER)[-1] == (MTType.REGULAR_TEXT, "Go team!")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"body": "Hi {{shoe_size}}"}, "body"),
        ({"retry_text": "Again, {{shoe_size|please}}"}, "retry_text"),
    ],
)
def test_the_step_services_refuse_an_unknown_field_naming_it(path, age, changes, field):
    values = {"body": "How old are you?", "retry_text": "", **changes}
    with pytest.raises(CampaignError, match=r"\{\{shoe_size\}\}") as refused:
        flow_step_create(path=path, kind=FlowStep.Kind.QUESTION, custom_field=age, **values)
    assert refused.value.field == field
    assert FlowStep.objects.filter(opt_in_path=path).count() == 2


# --- The opt-in path's page -----------------------------------------------------------


def _url(path, tail=""):
    return f"/campaigns/{path.campaign_id}/opt-in-paths/{path.pk}/{tail}"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"new-kind": "message", "new-body": "Hi {{shoe_size}}"}, "body"),
        (
            {"new-kind": "info", "new-body": "ZIP?", "new-attribute": "postal_code"}
            | {"new-retry_text": "ZIP, {{Shoe Size|please}}"},
            "retry_text",
        ),
    ],
)
def test_the_add_step_form_refuses_an_unknown_field_beside_the_text(
    path, alice, client_as, data, field
):
    response = client_as(alice).post(_url(path, "steps/"), data)
    assert response.status_code == 400
    errors = response.context["add_form"].errors
    assert list(errors) == [field]
    assert "Unknown merge field" in errors[field][0]
    assert ("{{shoe_size}}" if field == "body" else "{{Shoe Size}}") in errors[field][0]
    assert "Unknown merge field" in response.content.decode()
    assert FlowStep.objects.filter(opt_in_path=path).count() == 2


def test_the_edit_step_form_refuses_an_unknown_field_and_keeps_the_step(path, alice, client_as):
    step = FlowStep.objects.get(opt_in_path=path, kind=FlowStep.Kind.MESSAGE)
    prefix = f"step-{step.pk}"
    data = {f"{prefix}-kind": "message", f"{prefix}-body": "Bye {{nickname}}"}
    response = client_as(alice).post(_url(path, f"steps/{step.pk}/"), data)
    assert response.status_code == 400
    assert "{{nickname}}" in response.content.decode()
    step.refresh_from_db()
    assert step.body == "Thanks {{first_name|friend}}: {{Age|?}}."


def test_the_edit_step_form_saves_known_fields(path, alice, client_as):
    step = FlowStep.objects.get(opt_in_path=path, kind=FlowStep.Kind.MESSAGE)
    prefix = f"step-{step.pk}"
    data = {f"{prefix}-kind": "message", f"{prefix}-body": "Bye {{ city | for now }}, {{age}}"}
    assert client_as(alice).post(_url(path, f"steps/{step.pk}/"), data).status_code == 302
    step.refresh_from_db()
    assert step.body == "Bye {{ city | for now }}, {{age}}"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"welcome_message": "Welcome {{nickname|pal}}!"}, "welcome_message"),
        ({"double_opt_in": "on", "confirmation_text": "{{nickname}}: Y?"}, "confirmation_text"),
    ],
)
def test_the_path_settings_form_refuses_an_unknown_field_beside_the_text(
    path, alice, client_as, changes, field
):
    data = {
        "name": "Renamed",
        "welcome_message": "Welcome!",
        "confirmation_text": "Reply Y.",
        "confirmation_window_hours": "24",
        **changes,
    }
    response = client_as(alice).post(_url(path, "settings/"), data)
    assert response.status_code == 400
    errors = response.context["settings_form"].errors
    assert list(errors) == [field] and "{{nickname}}" in errors[field][0]
    assert "{{nickname}}" in response.content.decode()
    path.refresh_from_db()
    assert (path.name, path.welcome_message) == ("Signup", "Welcome, {{first_name|friend}}!")
    assert not path.double_opt_in


def test_the_campaign_pages_new_path_refuses_an_unknown_field_in_its_welcome(
    path, alice, client_as
):
    url = f"/campaigns/{path.campaign_id}/opt-in-paths/"
    client = client_as(alice)
    response = client.post(url, {"name": "Web", "welcome_message": "Hi {{nickname}}"}, follow=True)
    assert "Welcome message: Unknown merge field {{nickname}}" in response.content.decode()
    assert not OptInPath.objects.filter(name="Web").exists()
    client.post(url, {"name": "Web", "welcome_message": "Hi {{first_name|there}}"})
    assert OptInPath.objects.get(name="Web").welcome_message == "Hi {{first_name|there}}"
