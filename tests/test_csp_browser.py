"""Pages work in a real browser under the Content-Security-Policy, and the browser
helper notices when the policy blocks something."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from accounts.models import Membership
from campaigns.models import Broadcast
from profiles.models import Legislator
from tests.browser import fail_on_csp_refusals, screenshot, watch_csp
from tests.factories import make_campaign, make_company, make_profile
from tests.profiles.detail_builders import make_message

pytestmark = pytest.mark.browser


def test_the_browser_helper_fails_a_test_when_the_policy_blocks_inline_code(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    refusals = watch_csp(context)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "document.body.dataset.ran = 'yes'";
          document.body.append(script);
          document.querySelector("h1").setAttribute("style", "color: red");
        }"""
    )
    expect(page.locator("body")).not_to_have_attribute("data-ran", "yes")
    page.wait_for_timeout(200)  # the violation events are delivered asynchronously
    context.close()
    blocked = "\n".join(refusals)
    assert "script-src" in blocked and "style-src" in blocked
    with pytest.raises(pytest.fail.Exception, match="Content-Security-Policy blocked"):
        fail_on_csp_refusals(refusals)


def test_the_messages_tab_with_unsafe_stored_links_works_under_the_policy(page_as, bob, company):
    profile = make_profile(company, "+12025550190", first_name="Ana", last_name="Ruiz")
    type(profile).objects.filter(pk=profile.pk).update(avatar_url="javascript:alert(1)")
    make_message(profile, direction="mo", body="old bad pic", media_url="javascript:alert(1)")
    make_message(profile, direction="mo", body="vb pic", media_url="VBScript:msgbox(1)")
    make_message(profile, direction="mo", body="good pic", media_url="https://localhost:1/p.jpg")
    make_message(profile, direction="mo", body="plain pic", media_url="http://localhost:1/p.jpg")
    page = page_as(bob)
    page.goto(f"/profiles/{profile.pk}/")
    page.click("#profile-tab-nav a:text-is('Messages')")
    expect(page.locator("#messages-table")).to_contain_text("old bad pic")
    expect(page.locator("#messages-table")).to_contain_text("(unsafe link hidden)")
    expect(page.locator("img.media-thumb")).to_have_count(1)
    # An http link is a link, not an image that img-src (https: only) would refuse.
    expect(page.locator("a[href='http://localhost:1/p.jpg']")).to_have_text("Media")
    html = page.content().lower()
    assert "javascript:" not in html and "vbscript:" not in html
    screenshot(page, "profile-messages-unsafe-links")


def test_the_company_switch_new_broadcast_picker_and_back_link_work_under_the_policy(
    page_as, alice, company
):
    other = make_company("Second Org")
    Membership.objects.create(user=alice, company=other, role="admin")
    campaign = make_campaign(company, "Rally Alerts")
    legislator = Legislator.objects.create(
        external_id="T1", office="sen", first_name="Ada", last_name="Byron", state="NY",
        url="https://byron.senate.example",
    )  # fmt: skip
    page = page_as(alice)
    page.goto("/campaigns/broadcasts/")
    page.select_option("#new-broadcast-campaign", label="Rally Alerts")
    page.click("button:has-text('New broadcast')")
    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/broadcasts/new/$"))
    assert not Broadcast.objects.exists()
    page.goto(f"/profiles/legislators/{legislator.pk}/", referer=page.url)
    expect(page.locator("a[href='https://byron.senate.example']")).to_be_visible()
    page.click("a[data-history-back]")
    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/broadcasts/new/$"))
    page.select_option("#company-switch", label="Second Org")
    expect(page.locator(".flash-list")).to_contain_text("You are now working in Second Org")
    screenshot(page, "company-switched")


def test_a_superuser_uses_the_django_admin_under_the_policy(page_as, company):
    root = User.objects.create_superuser("root", "root@example.org", "pw-root")
    profile = make_profile(company, "+12025550191", first_name="Ana")
    page = page_as(root)
    page.goto("/admin/")
    expect(page.locator("#site-name")).to_contain_text("Shortcode administration")
    page.goto("/admin/profiles/profile/")
    expect(page.locator("#result_list")).to_contain_text("Ana")
    page.goto(f"/admin/profiles/profile/{profile.pk}/change/")
    page.fill("#id_first_name", "Anabel")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    profile.refresh_from_db()
    assert profile.first_name == "Anabel"
    page.goto("/admin/profiles/profile/export/")
    toggle = page.locator("input[name=select-all-toggle]")
    fields = page.locator(".selectable-field-export-row input[type=checkbox]:checked")
    expect(toggle).to_be_checked()
    assert fields.count() > 2
    toggle.uncheck()  # runs the page's one inline handler, admitted by its hash
    expect(fields).to_have_count(0)
    screenshot(page, "admin-export")
