"""Every hand-written <input> in the templates says its type.

The stylesheet styles text fields by type (input[type=text], static/css/app.css); an
input without one renders as the browser's bare default box beside styled fields.
"""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE | re.DOTALL)


def test_every_template_input_has_a_type():
    untyped = [
        f"{path.relative_to(TEMPLATES)}: {tag[:80]}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for tag in INPUT.findall(path.read_text())
        if not re.search(r"\btype\s*=", tag)
    ]
    assert untyped == []
