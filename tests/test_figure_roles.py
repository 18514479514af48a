"""Trace roles: every role a figure draws is declared in plot.ROLES, and the page's palettes
have an entry for every themed role."""

import pathlib
import re

import pytest

from jacobiator.figures import FIGURES, render
from jacobiator.figures.plot import ROLES, page_roles

THEME_JS = pathlib.Path(__file__).parent.parent / "docs" / "javascripts" / "theme.js"


def drawn(key: str) -> list[dict]:
    """The figure's default render and, for an animation, its first frame."""
    figures = [render(key)]
    animation = FIGURES[key].animation
    if animation:
        params = FIGURES[key].schema.resolve({})
        figures.append(animation.frame(animation.start(params), params))
    return figures


@pytest.mark.parametrize("key", sorted(FIGURES))
def test_every_trace_role_is_declared(key):
    for figure in drawn(key):
        for trace in figure["data"]:
            role = (trace.get("meta") or {}).get("role")
            assert role is None or role in ROLES, f"{key}: trace {trace.get('name')!r} has undeclared role {role!r}"


def test_canvas_roles_are_drawn_as_lines():
    # The canvas strokes polylines; a role declared canvas-drawn must be drawn as lines somewhere.
    modes = {}
    for key in ("gradient_field", "sculpt", "xor_relu_features"):
        for figure in drawn(key):
            for trace in figure["data"]:
                modes.setdefault((trace.get("meta") or {}).get("role"), set()).add(trace.get("mode"))
    for role in page_roles()["canvas"]:
        if role in modes:
            assert modes[role] == {"lines"}, role


def palette_block(text: str, name: str) -> str:
    start = text.index(f"{name}: {{")
    end = text.index("\n  },", start)
    return text[start:end]


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_every_themed_role_has_a_colour_in_each_palette(palette):
    block = palette_block(THEME_JS.read_text(), palette)
    for role, entry in page_roles()["themed"].items():
        assert re.search(rf"\b{entry}: ", block), f"theme.js's {palette} palette has no {entry!r} for role {role!r}"


def test_page_roles_list_only_declared_roles():
    roles = page_roles()
    assert set(roles["canvas"]) | set(roles["themed"]) <= set(ROLES)
