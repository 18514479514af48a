"""Preset links (build/figure_presets.py): a sentence's link that puts a figure in a state.

The build resolves the target to the figure's widget, checks the values as a reader's
link would be checked, and writes the link as the figure's URL state; a bad preset is
a warning naming page and line (so the strict build fails) and a visible error."""

import html
import json
import logging
import re

import markdown
import pytest

import figure_presets
import jacobiator_fence


def convert(text: str) -> str:
    fences = [{"name": "figure", "class": "figure", "format": jacobiator_fence.format_figure}]
    md = markdown.Markdown(extensions=["attr_list", "pymdownx.superfences", figure_presets.makeExtension()],
                           extension_configs={"pymdownx.superfences": {"custom_fences": fences}})
    return md.convert(text)


@pytest.fixture(autouse=True)
def page(monkeypatch):
    """Name the page, so warnings say where; the text is set by each test."""
    def set_text(text: str) -> str:
        monkeypatch.setitem(jacobiator_fence.current_page, "path", "page.md")
        monkeypatch.setitem(jacobiator_fence.current_page, "markdown", text)
        monkeypatch.setitem(jacobiator_fence.current_page, "cursor", 0)
        return text
    return set_text


def links(out: str) -> list[dict]:
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', m)) for m in re.findall(r"<a ([^>]*)>", out)]


TWO_FIELDS = """Text.

```figure
figure: gradient_field
grid: 9
```

```figure
figure: gradient_field
id: coarse
grid: 11
```

```figure
figure: descent_paths
```

See [the coarse field](#preset:coarse?grid=5&log=true) and [big steps](#preset:descent_paths?lr=0.9){ .extra }.
"""


def test_a_preset_becomes_the_figure_s_url_state_whatever_comes_before_it(page):
    out = convert(page(TWO_FIELDS))
    coarse, steps = links(out)
    # The block with id "coarse" is the page's second gradient_field.
    assert html.unescape(coarse["href"]) == "?gradient_field-2.grid=5&gradient_field-2.log=true"
    assert coarse["data-jb-target"] == "jb-gradient_field-2"
    assert json.loads(html.unescape(coarse["data-jb-values"])) == {"grid": "5", "log": "true"}
    assert "jb-preset" in coarse["class"].split()
    assert steps["href"] == "?descent_paths-1.lr=0.9"
    assert steps["class"].split() == ["jb-preset", "extra"]  # the author's class is kept


def test_adding_a_figure_above_keeps_the_link_on_its_figure(page):
    out = convert(page("```figure\nfigure: gradient_field\n```\n\n" + TWO_FIELDS))
    assert links(out)[0]["data-jb-target"] == "jb-gradient_field-3"


@pytest.mark.parametrize("target, message", [
    ("no_such_figure?grid=5", "no figure 'no_such_figure' on this page; preset targets here: coarse"),
    ("gradient_field?grid=5", "the page has 2 'gradient_field' figures: give the one meant an 'id:' line"),
    ("coarse?grid=999", "grid must be between"),
    ("coarse?no_such_param=1", "unknown parameter 'no_such_param'"),
    ("coarse", "the link sets no parameter"),
])
def test_a_bad_preset_is_a_warning_naming_page_and_line_and_a_visible_error(page, caplog, target, message):
    text = page(TWO_FIELDS + f"\nAnd [this](#preset:{target}).\n")
    with caplog.at_level(logging.WARNING, logger="mkdocs.jacobiator.presets"):
        out = convert(text)
    line = TWO_FIELDS.count("\n") + 2
    assert [r.getMessage() for r in caplog.records if message in r.getMessage()], caplog.text
    assert all(r.getMessage().startswith(f"page.md:{line}: preset link #preset:{target.split('?')[0]}")
               for r in caplog.records)
    assert 'class="jb-error jb-preset-error"' in out


def test_a_fence_id_must_be_a_plain_name(page, caplog):
    with caplog.at_level(logging.WARNING):
        out = convert(page("```figure\nfigure: gradient_field\nid: Not A Name\n```\n"))
    assert "lower-case letters, digits and dashes" in caplog.text
    assert "could not be built" in out


def test_a_caption_may_hold_a_preset_link(page, caplog):
    text = page("```figure\nfigure: gradient_field\nid: field\ncaption: Try [a finer grid](#preset:field?grid=31&log=true), "
                "or [this](#preset:nowhere?grid=5).\n```\n")
    with caplog.at_level(logging.WARNING, logger="mkdocs.jacobiator.presets"):
        out = convert(text)
    caption = out[out.index("<figcaption>"):out.index("</figcaption>")]
    good = links(caption)[0]
    assert html.unescape(good["href"]) == "?gradient_field-1.grid=31&gradient_field-1.log=true"
    assert ">a finer grid</a>" in caption
    assert "jb-preset-error" in caption
    assert caplog.records[0].getMessage().startswith("page.md:4: preset link #preset:nowhere: no figure 'nowhere'")


def test_a_fence_id_is_used_once_per_page(page, caplog):
    block = "```figure\nfigure: gradient_field\nid: twice\n```\n\n"
    with caplog.at_level(logging.WARNING):
        out = convert(page(block + block))
    assert "id 'twice' is already used by another figure on this page" in caplog.text
    assert out.count("could not be built") == 1
