"""Every app's tests run: they live under tests/<app>/, and pytest collects tests/.

Tests sit outside the app packages because they exercise the whole system (a campaigns
test sends messages, a messaging test builds campaigns): kept inside an app, they would
put that app's package above every layer it touches, and the layer contract could not hold.
"""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _apps() -> set[str]:
    # config is the project, not an app: its tests are the ones directly under tests/.
    return {p.parent.name for p in ROOT.glob("*/apps.py")} - {"config"}


def test_pytest_collects_the_tests_folder():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["tool"]["pytest"]["ini_options"]["testpaths"] == ["tests"]


def test_no_app_keeps_tests_inside_its_package():
    inside = {app for app in _apps() if (ROOT / app / "tests").exists()}
    assert inside == set()


def test_every_app_with_tests_has_its_folder_under_tests():
    folders = {p.name for p in (ROOT / "tests").iterdir() if (p / "__init__.py").exists()}
    untested = {app for app in _apps() if app not in folders}
    assert untested == set()
