"""Each figure's primary controls: declared in Python, few, real; the widget shows
them first and puts the others behind a "More controls" disclosure."""

import re
import sys

import pytest

from harness import ROOT
from jacobiator.figures import FIGURES
from jacobiator.figures.schema import MOST_PRIMARY, Figure, Float, Schema

sys.path.insert(0, str(ROOT / "build"))
import jacobiator_fence  # noqa: E402


@pytest.mark.parametrize("key", sorted(FIGURES))
def test_every_figure_has_a_few_primary_parameters_that_it_really_has(key):
    figure = FIGURES[key]
    primary = figure.schema.names if figure.primary is None else figure.primary
    assert set(primary) <= set(figure.schema.names)
    assert 1 <= len(primary) <= MOST_PRIMARY
    assert len(set(primary)) == len(primary)


def one_float(name):
    return Float(name, name, 0.5)


def test_a_primary_name_the_schema_lacks_is_refused_naming_it():
    schema = Schema((one_float("a"), one_float("b")))
    with pytest.raises(ValueError, match=r"primary names unknown parameter 'c'; known parameters: a, b"):
        Figure("f", "F", schema, lambda p: {}, primary=("a", "c"))


def test_a_figure_with_many_parameters_must_choose_its_primary_ones():
    schema = Schema(tuple(one_float(f"p{i}") for i in range(MOST_PRIMARY + 1)))
    with pytest.raises(ValueError, match=rf"{MOST_PRIMARY + 1} primary parameters; name at most {MOST_PRIMARY}"):
        Figure("f", "F", schema, lambda p: {})
    assert Figure("f", "F", schema, lambda p: {}, primary=("p0", "p3")).primary == ("p0", "p3")


def controls(html: str) -> tuple[list[str], list[str], str | None]:
    """(names before the disclosure, names inside it, its summary) of a widget's form."""
    form = re.search(r'<form class="jb-controls".*?</form>', html, re.S).group(0)
    first, _, more = form.partition('<details class="jb-more">')
    names = lambda part: re.findall(r'<(?:input|select)[^>]* name="([a-z_]+)"', part)  # noqa: E731
    summary = re.search(r"<summary>(.*?)</summary>", more)
    return names(first), names(more), summary and summary.group(1)


@pytest.fixture
def widget(monkeypatch):
    # The static figure is not what these tests look at: skip drawing it.
    monkeypatch.setattr(jacobiator_fence, "static_figure", lambda key, figure, params: {"data": [], "layout": {}})
    return lambda key, controls_=None: jacobiator_fence.widget_html(key, {}, "", f"jb-{key}-1", controls_)


def test_the_widget_shows_primary_controls_first_and_the_others_behind_more_controls(widget):
    figure = FIGURES["destroy_training"]
    first, more, summary = controls(widget("destroy_training"))
    assert first == [n for n in figure.schema.names if n in figure.primary]
    assert more == [n for n in figure.schema.names if n not in figure.primary]
    assert summary == f"More controls ({len(more)})"


def test_a_figure_with_few_parameters_has_no_disclosure(widget):
    first, more, summary = controls(widget("mse_vs_ce"))
    assert first == list(FIGURES["mse_vs_ce"].schema.names) and not more and summary is None


def test_the_page_chooses_which_controls_show_and_python_which_come_first(widget):
    first, more, _ = controls(widget("gradient_field", ["grid", "log", "loss"]))
    assert first == ["loss", "log"] and more == ["grid"]
    # A page showing only secondary controls shows them all, with no disclosure.
    first, more, summary = controls(widget("gradient_field", ["grid", "amplitude"]))
    assert first == ["grid", "amplitude"] and not more and summary is None
