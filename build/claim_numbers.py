r"""A Markdown extension: measured numbers in the text come from the claims.

An author never types a measured number. She writes where it goes::

    Sign only on ∇x ends at a median of {{ destroy.sign_only.deep.x_sign.test | pct_ci }}.

and the build puts in the value that ``claims`` measured (``python -m claims``;
cached in ``.cache/claims``), formatted as asked. The first part of the path is
the chapter (a key of ``claims.PAGES``), the rest a path into its measurements.
An unknown path or format shows a visible error in the page and a warning naming
the page and line, so ``mkdocs build --strict`` fails. Runs before the fences, so
figure captions may hold numbers too. Named in mkdocs.yml as ``claim_numbers``.
"""

import html
import importlib
import logging
import math
import re
from typing import Callable

from markdown import Extension
from markdown.preprocessors import Preprocessor

import jacobiator_fence

log = logging.getLogger("mkdocs.jacobiator.claims")

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\.([\w.]+)\s*(?:\|\s*(\w+)(?::(\d+))?\s*)?\}\}")


def _median(value) -> float:
    """A statistic from claims.stats.spread stands for its median."""
    return value["median"] if isinstance(value, dict) else value


NBSP = "\u00a0"  # a number and its unit never part at the end of a line


def _percent(value, digits: int = 1) -> str:
    return f"{100 * _median(value):.{digits}f}{NBSP}%"


def _interval(value, digits: int = 1) -> str:
    """The median and its 90 % interval: ``84.5 % [80.1–88.0]``."""
    lo, hi = (f"{100 * value[k]:.{digits}f}" for k in ("lo", "hi"))
    return f"{_percent(value, digits)} [{lo}–{hi}]"


def _significant(value, digits: int = 2) -> str:
    """``digits`` significant digits, trailing zeros kept (0.10, 140), never an exponent."""
    v = _median(value)
    if v == 0:
        return "0"
    v = float(f"{v:.{digits - 1}e}")  # rounded first: 99.7 becomes 100 before its digits are counted
    return f"{v:.{max(0, digits - 1 - math.floor(math.log10(abs(v))))}f}"


def _scientific_tex(value, digits: int = 2) -> str:
    r"""For inside ``\( ... \)``: ``2.4 \times 10^{-5}`` (:N significant digits); a lone mantissa
    of 1 is left out (``10^{4}``), and 0 stays ``0``."""
    v = _median(value)
    if v == 0:
        return "0"
    mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
    if int(exponent) == 0:
        return mantissa
    return (f"{mantissa} \\times " if mantissa != "1" else "") + f"10^{{{int(exponent)}}}"


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _scientific(value, digits: int = 2) -> str:
    """Powers of ten for small or large numbers: ``3.7 × 10⁻⁴``."""
    mantissa, exponent = f"{_median(value):.{digits - 1}e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(SUPERSCRIPT)}"


FORMATS: dict[str, Callable] = {
    "pct": _percent,  # 0.927 -> 92.7 %  (:0 for no decimals)
    "pct_ci": _interval,  # a spread -> 84.5 % [80.1–88.0]
    "num": _significant,  # significant digits (:N, default 2)
    "fixed": lambda v, digits=2: f"{_median(v):.{digits}f}",  # decimals (:N)
    "int": lambda v: f"{round(_median(v)):d}",
    "times": lambda v, digits=2: _significant(v, digits) + "×",  # a ratio
    "deg": lambda v, digits=0: f"{_median(v):.{digits}f}°",
    "sci": _scientific,  # in text: 3.7e-04 -> 3.7 × 10⁻⁴  (:N significant digits, default 2)
    "sci_tex": _scientific_tex,  # in \( math \): 2.4e-05 -> 2.4 \times 10^{-5}, 1e4 -> 10^{4}, 0 -> 0
}


class ClaimNumbers(Preprocessor):
    def __init__(self, md):
        super().__init__(md)
        self.measured: dict[str, dict] = {}

    def measurements(self, chapter: str) -> dict:
        """The chapter's measurements, once per page. An unknown chapter is the author's slip
        (ValueError); anything failing inside a measurement is a bug, and stops the build."""
        claims = importlib.import_module("claims")  # the one on disk now: `mkdocs serve` reloads it
        claims.chapter(chapter)
        if chapter not in self.measured:
            if not claims.is_cached(chapter):  # minutes on two cores: say why the build waits
                log.info(f"measuring the claims of chapter {chapter!r} (once: the next builds read .cache/claims)")
            self.measured[chapter] = claims.measure(chapter)
        return self.measured[chapter]

    def number(self, measured: dict, path: str, fmt: str | None, digits: str | None) -> str:
        value = importlib.import_module("claims").lookup(measured, path)
        if fmt is None:
            return str(value)
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
        return FORMATS[fmt](value, *([int(digits)] if digits else []))

    def run(self, lines: list[str]) -> list[str]:
        page = jacobiator_fence.current_page["path"] or "<markdown>"
        out = []
        for n, line in enumerate(lines, start=1):
            def replace(m: re.Match) -> str:
                chapter, path, fmt, digits = m.groups()
                try:
                    measured = self.measurements(chapter)
                except ValueError as e:  # no such chapter
                    return self.error(page, n, m.group(0), str(e))
                try:
                    return self.number(measured, path, fmt, digits)
                except (KeyError, ValueError, TypeError) as e:
                    problem = f"no measurement at {e.args[0]}" if isinstance(e, KeyError) else str(e)
                    return self.error(page, n, m.group(0), problem)
            out.append(PLACEHOLDER.sub(replace, line))
        return out

    @staticmethod
    def error(page: str, line: int, placeholder: str, problem: str) -> str:
        """Logged (``mkdocs build --strict`` fails on it) and shown in the page."""
        log.warning(f"{page}:{line}: {placeholder}: {problem}")
        return f'<span class="jb-error jb-claim-error">{html.escape(placeholder)}: {html.escape(problem)}</span>'


class ClaimNumbersExtension(Extension):
    def extendMarkdown(self, md):
        # Before the fences (25) and the whitespace normaliser (30): line numbers are the page's.
        md.preprocessors.register(ClaimNumbers(md), "claim_numbers", 35)


def makeExtension(**kwargs):
    return ClaimNumbersExtension(**kwargs)
