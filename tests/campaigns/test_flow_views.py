"""Admins edit an opt-in path and its steps; other roles and other companies cannot."""

import pytest

from campaigns.models import FlowRun, FlowStep, OptInPath
from profiles.models import CustomField, CustomFieldType
from tests.factories import make_campaign, make_opt_in_path, make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def path(company):
    return make_opt_in_path(make_campaign(company, "Alerts"), "Signup", keyword="JOIN")


@pytest.fixture
def age(company):
    return CustomField.objects.create(company=company, name="Age", field_type=CustomFieldType.AGE)


def _url(path, tail=""):
    return f"/campaigns/{path.campaign_id}/opt-in-paths/{path.pk}/{tail}"


def _question(path, field, body="How old are you?"):
    return {
        "new-kind": "question",
        "new-body": body,
        "new-custom_field": field.pk,
        "new-retry_text": "A number, please.",
    }


def _steps(path):
    return list(
        FlowStep.objects.filter(opt_in_path=path)
        .order_by("position")
        .values_list("body", "position")
    )


def test_an_admin_adds_a_question_an_info_request_and_a_message(path, age, alice, client_as):
    client = client_as(alice)
    assert client.get(_url(path)).status_code == 200
    assert client.post(_url(path, "steps/"), _question(path, age)).status_code == 302
    info = {"new-kind": "info", "new-body": "Your ZIP?", "new-attribute": "postal_code"}
    assert client.post(_url(path, "steps/"), info).status_code == 302
    message = {"new-kind": "message", "new-body": "Thanks!", "new-custom_field": age.pk}
    assert client.post(_url(path, "steps/"), message).status_code == 302
    steps = list(FlowStep.objects.filter(opt_in_path=path).order_by("position"))
    assert [(s.kind, s.position) for s in steps] == [("question", 0), ("info", 1), ("message", 2)]
    assert steps[0].custom_field == age and steps[0].retry_text == "A number, please."
    assert steps[1].attribute == "postal_code" and steps[1].custom_field is None
    assert steps[2].custom_field is None  # a message saves nothing
    page = client.get(_url(path)).content.decode()
    assert "saves in Age" in page and "Your ZIP?" in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"new-kind": "question", "new-body": "Age?"}, "choose one"),
        ({"new-kind": "info", "new-body": "ZIP?"}, "choose one"),
        ({"new-kind": "message", "new-body": ""}, "This field is required"),
        ({"new-kind": "message", "new-body": "x" * 641}, "at most 640"),
        ({"new-kind": "message", "new-body": "bad\x00text"}, "control"),
    ],
)
def test_a_step_that_does_not_fit_is_refused_with_a_clear_error(
    path, alice, client_as, data, error
):
    response = client_as(alice).post(_url(path, "steps/"), data)
    assert response.status_code == 400
    assert error.lower() in response.content.decode().lower()
    assert not FlowStep.objects.exists()


def test_another_companys_custom_field_cannot_be_chosen(path, alice, client_as, other_company):
    foreign = CustomField.objects.create(company=other_company, name="Secret")
    response = client_as(alice).post(_url(path, "steps/"), _question(path, foreign))
    assert response.status_code == 400
    assert not FlowStep.objects.exists()


def test_steps_are_reordered_edited_and_deleted(path, age, alice, client_as):
    client = client_as(alice)
    for body in ("One", "Two", "Three"):
        client.post(_url(path, "steps/"), {"new-kind": "message", "new-body": body})
    one, two, three = FlowStep.objects.filter(opt_in_path=path).order_by("position")
    client.post(_url(path, f"steps/{three.pk}/up/"))
    assert _steps(path) == [("One", 0), ("Three", 1), ("Two", 2)]
    client.post(_url(path, f"steps/{one.pk}/up/"))  # already first: stays
    assert _steps(path)[0] == ("One", 0)
    edit = {
        f"step-{two.pk}-kind": "question",
        f"step-{two.pk}-body": "Age?",
        f"step-{two.pk}-custom_field": age.pk,
    }
    assert client.post(_url(path, f"steps/{two.pk}/"), edit).status_code == 302
    two.refresh_from_db()
    assert (two.kind, two.body, two.custom_field) == ("question", "Age?", age)
    bad = {f"step-{two.pk}-kind": "info", f"step-{two.pk}-body": "ZIP?"}
    response = client.post(_url(path, f"steps/{two.pk}/"), bad)
    assert response.status_code == 400 and "choose one" in response.content.decode()
    two.refresh_from_db()
    assert two.kind == "question"
    client.post(_url(path, f"steps/{one.pk}/delete/"))
    assert _steps(path) == [("Three", 0), ("Age?", 1)]


def test_deleting_a_step_ends_the_runs_waiting_at_it(path, age, alice, client_as, company):
    step = FlowStep.objects.create(
        company=company, opt_in_path=path, kind="question", body="Age?", custom_field=age
    )
    run = FlowRun.objects.create(
        company=company,
        profile=make_profile(company),
        opt_in_path=path,
        step=step,
        state=FlowRun.State.WAITING,
    )
    client_as(alice).post(_url(path, f"steps/{step.pk}/delete/"))
    run.refresh_from_db()
    assert run.state == FlowRun.State.ENDED


def test_an_admin_turns_on_double_opt_in_with_a_window(path, alice, client_as):
    data = {
        "name": "Signup",
        "welcome_message": "Welcome!",
        "double_opt_in": "on",
        "confirmation_text": "Reply Y to confirm.",
        "confirmation_window_hours": "48",
    }
    assert client_as(alice).post(_url(path, "settings/"), data).status_code == 302
    path.refresh_from_db()
    assert path.double_opt_in and path.confirmation_window_hours == 48
    assert path.confirmation_text == "Reply Y to confirm."
    page = client_as(alice).get(f"/campaigns/{path.campaign_id}/").content.decode()
    assert "Double opt-in" in page and f"/opt-in-paths/{path.pk}/" in page


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"confirmation_text": ""}, "needs its confirmation request"),
        ({"confirmation_window_hours": "0"}, "greater than or equal to 1"),
        ({"confirmation_window_hours": "721"}, "less than or equal to 720"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_path_settings_that_do_not_fit_are_refused(path, alice, client_as, changes, error):
    data = {
        "name": "Signup",
        "double_opt_in": "on",
        "confirmation_text": "Reply Y.",
        "confirmation_window_hours": "24",
        **changes,
    }
    response = client_as(alice).post(_url(path, "settings/"), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    path.refresh_from_db()
    assert not path.double_opt_in


def test_only_admins_edit_flows(path, age, bob, charlie, dana, client_as, company):
    step = FlowStep.objects.create(company=company, opt_in_path=path, kind="message", body="Hi")
    for user in (bob, charlie, dana):
        client = client_as(user)
        assert client.get(_url(path)).status_code == 403
        assert client.post(_url(path, "steps/"), _question(path, age)).status_code == 403
        assert client.post(_url(path, f"steps/{step.pk}/delete/")).status_code == 403
        assert client.post(_url(path, f"steps/{step.pk}/down/")).status_code == 403
        data = {"name": "X", "confirmation_window_hours": "1"}
        assert client.post(_url(path, "settings/"), data).status_code == 403
    assert FlowStep.objects.get() == step
    assert OptInPath.objects.get().name == "Signup"


def test_another_companys_path_and_steps_are_not_found(path, eve, client_as, company):
    step = FlowStep.objects.create(company=company, opt_in_path=path, kind="message", body="Hi")
    client = client_as(eve)
    assert client.get(_url(path)).status_code == 404
    assert (
        client.post(_url(path, "steps/"), {"new-kind": "message", "new-body": "x"}).status_code
        == 404
    )
    assert client.post(_url(path, f"steps/{step.pk}/delete/")).status_code == 404
    assert client.post(_url(path, f"steps/{step.pk}/up/")).status_code == 404
    data = {"name": "Mine", "confirmation_window_hours": "1"}
    assert client.post(_url(path, "settings/"), data).status_code == 404
    assert FlowStep.objects.filter(opt_in_path=path).count() == 1
    assert OptInPath.objects.get().name == "Signup"


def test_a_step_of_another_path_is_not_found_under_this_one(path, alice, client_as, company):
    other = make_opt_in_path(path.campaign, "Other")
    step = FlowStep.objects.create(company=company, opt_in_path=other, kind="message", body="Hi")
    assert client_as(alice).post(_url(path, f"steps/{step.pk}/delete/")).status_code == 404
    assert FlowStep.objects.filter(pk=step.pk).exists()
