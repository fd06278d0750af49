"""Every app's tests run: pytest's testpaths name each package that has an apps.py."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_app_with_tests_is_in_the_test_paths():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    paths = set(config["tool"]["pytest"]["ini_options"]["testpaths"])
    apps = {p.parent.name for p in ROOT.glob("*/apps.py") if (p.parent / "tests").is_dir()}
    assert apps - paths == set()
