"""An admin builds a two-step opt-in path on the campaign page; a number texts its keyword
through the inbound webhook, answers both steps, and the profile page shows the answers."""

import json

import pytest
from playwright.sync_api import expect

from campaigns.models import FlowStep, OptInPath
from messaging.models import Message, MOType, MTType
from messaging.webhooks import webhook_headers
from profiles.models import CustomField, CustomFieldType, Profile
from tests.browser import assert_accessible, assert_no_page_scroll, screenshot
from tests.factories import make_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "+12025550188"
_ids = iter(range(1, 100))


def _text(page, body: str) -> dict:
    """The aggregator posting a text from PHONE to the company's number, signed."""
    raw = json.dumps(
        {"id": f"SMflow{next(_ids):04d}", "from": PHONE, "to": "22822", "body": body}
    ).encode()
    response = page.request.post(
        "/messaging/inbound/",
        data=raw,
        headers={"Content-Type": "application/json", **webhook_headers(raw)},
    )
    assert response.status == 200, response.text()
    return response.json()


def _last_mt() -> Message:
    message = Message.objects.filter(phone_number=PHONE, direction="mt").order_by("-id").first()
    assert message is not None, "no text was sent"
    return message


def _add_step(page, kind: str, body: str, **choices: str) -> None:
    form = page.locator("#add-step")
    form.locator("select[name=new-kind]").select_option(kind)
    form.locator("textarea[name=new-body]").fill(body)
    for name, value in choices.items():
        control = form.locator(f"[name=new-{name}]")
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    form.get_by_role("button", name="Add step").click()
    page.wait_for_selector("text=Step added.")


def test_a_two_step_path_built_on_the_campaign_page_fills_the_profile(page_as, alice, company):
    campaign = make_campaign(company, "Rally Alerts")
    CustomField.objects.create(company=company, name="Age", field_type=CustomFieldType.AGE)
    page = page_as(alice)
    page.goto(f"/campaigns/{campaign.pk}/")
    page.fill("#id_path_name", "Rally signup")
    page.fill("#id_welcome", "Welcome to Rally Alerts!")
    page.click("button:has-text('Add path')")
    page.wait_for_selector("text=Opt-in path added.")
    page.fill("#id_keyword", "rally")
    page.select_option("select[name=opt_in_path]", label="Rally signup")
    page.click("button:has-text('Add keyword')")
    page.wait_for_selector("text=Keyword RALLY added.")
    path = OptInPath.objects.get(name="Rally signup")
    page.click(f"#edit-flow-{path.pk}")
    page.wait_for_url(f"**/opt-in-paths/{path.pk}/")
    assert_accessible(page, "the opt-in path page")

    # Only the fields of the chosen kind show (static/js/flow-steps.js).
    form = page.locator("#add-step")
    form.locator("select[name=new-kind]").select_option("info")
    expect(form.locator("[name=new-attribute]")).to_be_visible()
    expect(form.locator("[name=new-custom_field]")).to_be_hidden()
    # A question without its custom field is refused, with the reason shown.
    form.locator("select[name=new-kind]").select_option("question")
    form.locator("textarea[name=new-body]").fill("How old are you?")
    form.get_by_role("button", name="Add step").click()
    expect(page.locator("#add-step [role=alert]")).to_contain_text("custom field")
    assert not FlowStep.objects.exists()

    _add_step(
        page,
        "question",
        "How old are you?",
        custom_field="Age (Age)",
        retry_text="Please reply with a number, like 34.",
    )
    _add_step(page, "info", "What is your ZIP code?", attribute="ZIP / postal code")
    expect(page.locator("#flow-steps li[data-step-position]")).to_have_count(2)
    screenshot(page, "opt_in_path_flow")

    _text(page, "Rally")
    assert _last_mt().body == "How old are you?"
    assert _last_mt().message_type == MTType.QUESTION
    _text(page, "old enough")
    assert _last_mt().body == "Please reply with a number, like 34."
    _text(page, "34")
    assert _last_mt().message_type == MTType.INFO_REQUEST
    _text(page, "20001")
    types = list(
        Message.objects.filter(phone_number=PHONE, direction="mo")
        .order_by("id")
        .values_list("message_type", flat=True)
    )
    assert types == [
        MOType.OPT_IN,
        MOType.INVALID_QUESTION_RESPONSE,
        MOType.QUESTION_RESPONSE,
        MOType.INFO_RESPONSE,
    ]

    profile = Profile.objects.get(phone_number=PHONE)
    page.goto(f"/profiles/{profile.pk}/")
    expect(page.locator("#custom-fields-table tr[data-field=Age] .field-value")).to_have_text("34")
    expect(page.locator("body")).to_contain_text("20001")
    screenshot(page, "opt_in_path_profile_filled")


def test_at_phone_width_the_path_page_edits_steps_without_sideways_scrolling(
    page_as, alice, company
):
    campaign = make_campaign(company, "Rally Alerts")
    path = OptInPath.objects.create(company=company, campaign=campaign, name="Signup")
    FlowStep.objects.create(
        company=company, opt_in_path=path, position=0, kind="message", body="First"
    )
    page = page_as(alice, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page.goto(f"/campaigns/{campaign.pk}/opt-in-paths/{path.pk}/")
    assert_no_page_scroll(page)
    _add_step(page, "message", "Second")
    page.get_by_role("button", name="Move step 2 up").tap()
    expect(page.locator("#flow-steps li[data-step-position='1'] .sms-bubble")).to_have_text(
        "Second"
    )
    page.locator("#path-settings input[name=double_opt_in]").check()
    page.fill("#path-settings textarea[name=confirmation_text]", "Reply Y to confirm.")
    page.fill("#path-settings input[name=confirmation_window_hours]", "12")
    page.get_by_role("button", name="Save opt-in path").tap()
    page.wait_for_selector("text=Opt-in path saved.")
    expect(page.locator("#flow-steps")).to_contain_text("Confirmation request")
    assert_no_page_scroll(page)
    assert_accessible(page, "the opt-in path page on a phone")
    screenshot(page, "opt_in_path_phone")
    path.refresh_from_db()
    assert path.double_opt_in and path.confirmation_window_hours == 12
