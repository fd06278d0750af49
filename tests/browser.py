import os
import re

import pytest

# Chromium's wording for anything the Content-Security-Policy blocked.
CSP_REFUSAL = re.compile(r"Refused to .*Content Security Policy", re.IGNORECASE | re.DOTALL)

# Reports every securitypolicyviolation event to the test. Init scripts are injected by
# Playwright, not by the page, so the policy does not block this one.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline code"}` +
    ` at ${event.sourceFile || location.href}:${event.lineNumber}` +
    (event.sample ? ` (${event.sample})` : "")
  );
});
"""


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot under test-artifacts/ for people to look at."""
    os.makedirs("test-artifacts", exist_ok=True)
    page.screenshot(path=f"test-artifacts/{name}.png", full_page=True)


def watch_csp(context) -> list[str]:
    """Collect every CSP refusal in the pages of a Playwright browser context.

    Both what Chromium logs to the console ("Refused to … Content Security Policy") and
    the page's securitypolicyviolation events are kept, so an inline script, handler,
    style or eval that the policy blocked cannot go unnoticed.
    """
    refusals: list[str] = []

    def on_console(message) -> None:
        if CSP_REFUSAL.search(message.text):
            refusals.append(f"console: {message.text}")

    context.on("console", on_console)
    context.expose_binding("__cspViolation", lambda source, text: refusals.append(text))
    context.add_init_script(_REPORT_VIOLATIONS)
    return refusals


def fail_on_csp_refusals(refusals: list[str]) -> None:
    """Fail the browser test when the policy blocked anything its pages tried to do."""
    if refusals:
        listed = "\n  ".join(dict.fromkeys(refusals))
        pytest.fail(f"the Content-Security-Policy blocked:\n  {listed}", pytrace=False)
