"""The ``select_options`` tag draws options exactly as the template loop it replaced did, escaping alike."""

from __future__ import annotations

from django.template import Context, Template
from django.utils.safestring import mark_safe

LOOP = Template(
    '{% for value, label in choices %}<option value="{{ value }}"{% if selected == value %} selected{% endif %}>'
    "{{ label }}</option>{% endfor %}"
)
TAG = Template("{% load select_options %}{% select_options choices selected %}")


def test_options_are_drawn_and_escaped_as_the_template_loop_drew_them():
    choices = [
        ("plain", "Plain"),
        ("a\"b<c>&'d", "<script>alert('x')</script> & \"quoted\""),
        ("café", "naïve — ünïcode · 4 cr"),
        ("safe", mark_safe("<b>already safe</b>")),
        ("nul", "before\x00after"),
        (3, 3),
    ]
    for selected in ["plain", "a\"b<c>&'d", "café", "nope", "3", None]:
        context = {"choices": choices, "selected": selected}
        assert TAG.render(Context(context)) == LOOP.render(Context(context)), selected


def test_exactly_the_chosen_value_is_selected():
    html = TAG.render(Context({"choices": [("a", "A"), ("ab", "AB"), ("b", "B")], "selected": "ab"}))
    assert html == '<option value="a">A</option><option value="ab" selected>AB</option><option value="b">B</option>'
