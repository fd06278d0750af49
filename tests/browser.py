import os
import re
from functools import lru_cache
from pathlib import Path

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


# axe-core, installed from npm by `make test` (package.json at the repository root).
AXE_PATH = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# The WCAG 2.1 A and AA rules; best-practice rules are advice, not the bar the pages meet.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@lru_cache(maxsize=1)
def _axe_source() -> str:
    if not AXE_PATH.exists():
        pytest.fail(
            f"axe-core is missing at {AXE_PATH}: run `npm ci --no-audit --no-fund`", pytrace=False
        )
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations(page) -> list[str]:
    """Run axe-core's WCAG 2.1 A/AA rules on the page and describe each failing element.

    The script is evaluated through the DevTools protocol, not added as a <script> tag:
    an added tag is inline code, which the page's Content-Security-Policy refuses.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}})
             .then((r) => r.violations.map((v) => ({
               id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
             })))""",
        AXE_TAGS,
    )
    found = []
    for violation in results:
        for node in violation["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            found.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']}"
                f" at {node['target']}: {summary}"
            )
    return found


def assert_accessible(page, where: str = "") -> None:
    """Fail with a readable list when axe-core finds any WCAG 2.1 A/AA violation."""
    found = axe_violations(page)
    if found:
        listed = "\n  ".join(found)
        pytest.fail(
            f"axe-core found {len(found)} on {where or page.url}:\n  {listed}", pytrace=False
        )


# The page's width, the window's, and the outermost elements that stick out of the window.
_SIDEWAYS = """() => {
  const out = [...document.querySelectorAll("body *")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.right > innerWidth + 1 && !el.parentElement.closest("dialog:not([open])")
      && el.parentElement.getBoundingClientRect().right <= innerWidth + 1;
  });
  const classes = (el) => typeof el.className === "string" && el.className
    ? "." + el.className.split(" ").join(".") : "";
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes(el);
  return [document.documentElement.scrollWidth, innerWidth, out.slice(0, 5).map(name).join(", ")];
}"""


def sideways_overflow(page) -> str:
    """Why the page scrolls sideways ("" when it does not): a wide table scrolls in its box."""
    wide, window, culprits = page.evaluate(_SIDEWAYS)
    if wide <= window:
        return ""
    return f"{page.url} is {wide} px wide in a {window} px window (sticking out: {culprits})"


def assert_no_page_scroll(page) -> None:
    """The page itself never scrolls sideways."""
    problem = sideways_overflow(page)
    assert not problem, problem
