"""A region that scrolls sideways takes the keyboard's focus and has a name (axe:
scrollable-region-focusable), or a keyboard user cannot read what is cut off. Read from the
templates, so a new wrapper cannot forget it."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_scrolling_table_can_be_reached_by_keyboard():
    wrappers = [(path.name, tag) for path in TEMPLATES.rglob("*.html")
                for tag in re.findall(r'<div class="table-scroll"[^>]*>', path.read_text())]
    assert wrappers  # the scan finds them
    assert [(name, tag) for name, tag in wrappers
            if 'tabindex="0"' not in tag or "aria-label" not in tag] == []
