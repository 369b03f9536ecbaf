"""Django's ``{# … #}`` comment is one line only: one spread over two lines is shown to members as text."""

from __future__ import annotations

from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_short_comment_closes_on_its_own_line(path):
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        opened = line.count("{#")
        assert opened == line.count("#}"), f"{path.name}:{number}: use {{% comment %}} for a comment over several lines"
