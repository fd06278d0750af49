"""The compliance invariant, enforced on the source: outgoing messages leave only
through messaging (message_send, message_send_many and the delivery functions).

A module elsewhere that wrote outgoing Message rows itself, or talked to a gateway,
could skip the opt-out check; this scan fails the build before that can ship.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Code that may legitimately write Message rows without sending anything: test
# fixtures build history to look at, and the demo seeder loads fictional past messages.
ALLOWED_OUTSIDE = ("tests/", "conftest.py", "bench/", "demo/")

MESSAGE_WRITES = re.compile(
    r"Message\.objects\.(create|bulk_create|get_or_create|update_or_create)\b"
    r"|\bMessage\(\s*\w+="
    r"|INSERT INTO \{?(Message\._meta\.db_table|messaging_message)"
)
GATEWAY_IMPORTS = re.compile(
    r"^\s*(from\s+messaging(\.gateways)?\s+import\s+.*\b(gateways|get_gateway)\b"
    r"|from\s+messaging\.gateways\s+import"
    r"|import\s+messaging\.gateways)",
    re.MULTILINE,
)


def _sources() -> list[Path]:
    skip_dirs = {".venv", "node_modules", "migrations", ".git", "media", "static"}
    files = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if set(path.relative_to(ROOT).parts) & skip_dirs:
            continue
        if relative.startswith("messaging/"):
            continue
        if any(part in relative for part in ALLOWED_OUTSIDE):
            continue
        files.append(path)
    return files


def test_the_scan_sees_the_code_outside_messaging():
    scanned = {path.relative_to(ROOT).as_posix() for path in _sources()}
    assert "campaigns/broadcasts.py" in scanned
    assert "inbox/views.py" in scanned
    assert not any(name.startswith("messaging/") for name in scanned)


def test_no_module_outside_messaging_writes_outgoing_messages_itself():
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in _sources()
        for match in MESSAGE_WRITES.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "send through messaging.services instead: " + "; ".join(offenders)


def test_no_module_outside_messaging_talks_to_a_gateway():
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in _sources()
        for match in GATEWAY_IMPORTS.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "deliver through messaging instead: " + "; ".join(offenders)


def test_the_scan_would_catch_a_direct_write_and_a_gateway_import():
    assert MESSAGE_WRITES.search("Message.objects.create(direction=Message.Direction.MT)")
    assert MESSAGE_WRITES.search('f"INSERT INTO {Message._meta.db_table} (a, b)"')
    assert MESSAGE_WRITES.search("Message.objects.bulk_create(rows)")
    assert GATEWAY_IMPORTS.search("from messaging.gateways import SendResult, get_gateway\n")
    assert GATEWAY_IMPORTS.search("import messaging.gateways\n")
    assert not GATEWAY_IMPORTS.search("from messaging.models import Message\n")
