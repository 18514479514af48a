"""The Markdown extension that puts measured numbers into the text (build/claim_numbers.py)."""

import logging

import markdown
import pytest

import claim_numbers
import claims

MEASURED = {"best_cut": 0.6336, "setback": 15.41, "accuracy": {"median": 0.8045, "lo": 0.751, "hi": 0.84},
            "sweep": {"0.45": {"median": 0.952}, "0.5": {"median": 0.5}}, "angle": 72.57, "steps": 140.0,
            "tiny": 3.5e-13, "curve": [0.1, 0.2], "near_100": 99.7,
            "near_10": 9.96}


@pytest.fixture(autouse=True)
def measured(monkeypatch):
    def measure(chapter):
        assert chapter == "destroy", "only the destroy chapter is faked"
        return MEASURED
    monkeypatch.setattr(claims, "measure", measure)


def convert(text: str) -> str:
    return markdown.Markdown(extensions=[claim_numbers.makeExtension()]).convert(text)


@pytest.mark.parametrize("placeholder, shown", [
    ("{{ destroy.best_cut | pct }}", "63.4\u00a0%"),
    ("{{ destroy.best_cut | pct:0 }}", "63\u00a0%"),
    ("{{ destroy.accuracy | pct }}", "80.5\u00a0%"),  # a spread stands for its median
    ("{{ destroy.accuracy | pct_ci }}", "80.5\u00a0% [75.1–84.0]"),
    ("{{ destroy.accuracy.lo | pct }}", "75.1\u00a0%"),
    ("{{ destroy.sweep.0.45 | pct }}", "95.2\u00a0%"),  # a key with a dot in it
    ("{{ destroy.sweep.0.5.median | fixed:1 }}", "0.5"),
    ("{{ destroy.setback | times }}", "15×"),
    ("{{ destroy.setback | num:3 }}", "15.4"),
    ("{{ destroy.angle | deg }}", "73°"),
    ("{{ destroy.steps | int }}", "140"),
    ("{{ destroy.curve.1 | fixed:1 }}", "0.2"),
    ("{{destroy.best_cut|pct}}", "63.4\u00a0%"),
    ("{{ destroy.steps | num }}", "140"),  # no exponent for a large number
    ("{{ destroy.near_100 | num }}", "100"),
    ("{{ destroy.near_10 | num:1 }}", "10"),
    ("{{ destroy.tiny | num }}", "0.00000000000035"),
    ("{{ destroy.steps | times:1 }}", "100×"),
    ("{{ destroy.tiny | sci }}", "3.5 × 10⁻¹³"),
    ("{{ destroy.tiny | sci_tex }}", "3.5 \\times 10^{-13}"),
])
def test_a_placeholder_becomes_the_measured_number(placeholder, shown):
    assert convert(f"The cut gets {placeholder}.") == f"<p>The cut gets {shown}.</p>"


def test_numbers_go_into_figure_captions_too():
    text = "```figure\nfigure: gradient_field\ncaption: about {{ destroy.best_cut | pct }}\n```"
    assert claim_numbers.ClaimNumbers(markdown.Markdown()).run(text.splitlines())[2] == "caption: about 63.4\u00a0%"


@pytest.mark.parametrize("placeholder, problem", [
    ("{{ destroy.nothing | pct }}", "no measurement at nothing"),
    ("{{ destroy.sweep.0.7 | pct }}", "no measurement at 0.7"),
    ("{{ destroy.best_cut | percent }}", "unknown format 'percent'"),
    ("{{ elsewhere.best_cut | pct }}", "unknown chapter 'elsewhere'"),
])
def test_a_bad_placeholder_is_shown_and_logged(placeholder, problem, caplog):
    with caplog.at_level(logging.WARNING, logger="mkdocs.jacobiator.claims"):
        html = convert(f"line one\n\nThe cut gets {placeholder}.")
    assert "jb-claim-error" in html and problem.replace("'", "&#x27;") in html
    assert any(f":3: {placeholder}: {problem}" in r.message for r in caplog.records)


def test_every_chapter_page_exists():
    from pathlib import Path
    docs = Path(__file__).resolve().parents[1] / "docs"
    for page in claims.PAGES.values():
        assert (docs / page).is_file(), page


@pytest.mark.parametrize("cached", [True, False])
def test_the_build_says_so_only_when_it_measures(cached, monkeypatch, caplog):
    """Measuring a chapter takes minutes: the build says why it waits, and only then."""
    monkeypatch.setattr(claims, "is_cached", lambda chapter: cached)
    with caplog.at_level(logging.INFO, logger="mkdocs.jacobiator.claims"):
        assert convert("{{ destroy.steps | int }}") == "<p>140</p>"
    said = [r.message for r in caplog.records if "measuring the claims of chapter 'destroy'" in r.message]
    assert len(said) == (0 if cached else 1)
