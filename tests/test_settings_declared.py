"""Every setting the code reads is declared once in config/settings/ and read when used.

A `getattr` on settings with a default in a module hides a second, undocumented default;
a module-level `settings.X` is frozen at import, so neither a deployment's reload nor
a test's override reaches it.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

from django.conf import global_settings

from config.settings import base

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {"config", "staticfiles", "media", "test-artifacts", "node_modules", "__pycache__"}
# Model fields name the user model when their class is built; Django requires it so.
IMPORT_TIME_ALLOWED = {"AUTH_USER_MODEL"}


def _project_sources() -> list[Path]:
    sources = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in SKIP_DIRS or any(part.startswith(".") for part in parts):
            continue
        sources.append(path)
    return sources


def _settings_reads(node: ast.AST) -> list[ast.Attribute]:
    return [
        child
        for child in ast.walk(node)
        if isinstance(child, ast.Attribute)
        and isinstance(child.value, ast.Name)
        and child.value.id == "settings"
        and child.attr.isupper()
        and isinstance(child.ctx, ast.Load)
    ]


def _import_time_statements(tree: ast.Module) -> Iterator[ast.stmt | ast.expr]:
    """Statements that run on import: the module body and class bodies, not functions
    (and a class's decorators, expressions that run as it is defined)."""
    pending: list[ast.stmt | ast.expr] = list(tree.body)
    while pending:
        statement = pending.pop()
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(statement, ast.ClassDef):
            pending.extend(statement.body)
            pending.extend(statement.decorator_list)
            continue
        yield statement


def test_the_scan_sees_the_project():
    names = {path.relative_to(ROOT).as_posix() for path in _project_sources()}
    assert "messaging/gateways.py" in names and "reports/services.py" in names
    assert not any(name.startswith("config/") for name in names)


def test_no_module_outside_config_reads_a_setting_with_a_default_of_its_own():
    needle = "getattr(" + "settings"
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _project_sources()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if needle in line.replace(" ", "")
    ]
    assert offenders == [], "declare the setting in config/settings/base.py instead"


def test_no_module_reads_a_setting_at_import_time():
    offenders = []
    for path in _project_sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        for statement in _import_time_statements(tree):
            for read in _settings_reads(statement):
                if read.attr not in IMPORT_TIME_ALLOWED:
                    offenders.append(f"{path.relative_to(ROOT)}:{read.lineno} {read.attr}")
    assert offenders == [], "read settings inside the function that needs them"


def test_every_setting_the_code_reads_is_declared():
    declared = {name for name in dir(base) if name.isupper()}
    declared |= {name for name in dir(global_settings) if name.isupper()}
    undeclared = []
    for path in _project_sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        for read in _settings_reads(tree):
            if read.attr not in declared:
                undeclared.append(f"{path.relative_to(ROOT)}:{read.lineno} {read.attr}")
    assert undeclared == [], "declare it in config/settings/base.py with a typed reader"
