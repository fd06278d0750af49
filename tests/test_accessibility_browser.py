"""Every signed-in page passes axe-core's WCAG 2.1 A/AA rules on a desktop and on a
phone, and no page scrolls sideways on a phone."""

import pytest
from django.urls import reverse

from tests.browser import assert_accessible, axe_violations, sideways_overflow
from tests.test_tenancy_sweep import LIST_PAGES, acme, object_pages  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# Pieces htmx swaps into a page, not pages: each is checked where it appears.
FRAGMENTS = {
    "profiles:subscription_history",
    "inbox:chat_messages",
    "inbox:respond",
    "reports:export_status",
}
PROFILE_TABS = ("subscriptions", "messages", "custom_fields", "activity", "notes", "donations")


def every_page(acme) -> list[str]:  # noqa: F811  # overrides the imported fixture of that name
    reads, _ = object_pages(acme)
    pages = [reverse(name) for name in LIST_PAGES]
    pages += [reverse(name, args=args) for name, args in reads if name not in FRAGMENTS]
    detail = reverse("profiles:detail", args=[acme["profile"].pk])
    pages += [f"{detail}?tab={tab}" for tab in PROFILE_TABS]
    return pages


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_signed_in_page_has_no_wcag_violation_and_no_sideways_scroll(
    page_as,
    alice,
    acme,  # noqa: F811  # the fixture, by its imported name
    size,
):
    page = page_as(alice)
    page.set_viewport_size(size)
    problems = []
    for path in every_page(acme):
        page.goto(path)
        problems += [f"{path}: {found}" for found in axe_violations(page)]
        if size == PHONE and (problem := sideways_overflow(page)):
            problems.append(problem)
    assert not problems, f"{len(problems)} problems:\n  " + "\n  ".join(problems)


def test_the_axe_helper_fails_a_test_on_a_violation_and_runs_under_the_policy(page_as, alice):
    page = page_as(alice)  # page_as fails the test if the policy refused the evaluated axe
    page.goto(reverse("profiles:list"))
    assert_accessible(page)
    page.evaluate(
        "() => document.querySelector('#content').append(document.createElement('select'))"
    )
    with pytest.raises(pytest.fail.Exception, match="select-name"):
        assert_accessible(page)
