"""Every number the article quotes, measured, beside the statement it supports.

One module per chapter. Each defines ``measure() -> dict`` (plain JSON: floats,
ints, lists, dicts; statistics over seeds come from :mod:`claims.stats`) and
``CLAIMS``, the chapter's statements as :class:`Claim`. The Markdown never types
a measured number: it writes ``{{ destroy.sign_only.deep.x_sign.test | pct_ci }}``
and the build inserts the value (``build/claim_numbers.py``), so text and
measurement cannot drift apart. The tests check every claim
(``tests/test_claims.py``); ``make claims`` checks them on several floating-point
platforms (``claims/platforms.py``).

    python -m claims [chapter ...]     # every measurement and claim, as JSON

This package is not part of the wheel the browser installs.
"""

import importlib
from dataclasses import dataclass
from typing import Callable

from . import cache

# chapter key -> the page whose numbers it measures
PAGES = {
    "gradient_fields": "gradient-fields.md",
    "activations": "activations.md",
    "destroy": "destroy-the-jacobian.md",
    "restore": "restore-the-jacobian.md",
}


@dataclass(frozen=True)
class Claim:
    """A statement of the article, checked on a chapter's measurements.

    ``values`` picks the few numbers the statement is about (printed per platform
    by ``make claims``); ``holds`` says whether the statement is true of them, with
    a margin wider than the spread between platforms."""

    key: str
    says: str
    values: Callable[[dict], dict]
    holds: Callable[[dict], bool]


def chapter(key: str):
    if key not in PAGES:
        raise ValueError(f"unknown chapter {key!r}; choose one of: {', '.join(PAGES)}")
    return importlib.import_module(f"claims.{key}")


def measure(key: str, cached: bool = True) -> dict:
    """The chapter's measurements; read from ``.cache/claims`` when this code on this
    platform measured them before (``cached=False`` always measures)."""
    run = chapter(key).measure
    return cache.read_or_measure(key, run) if cached else cache.plain(run())


def is_cached(key: str) -> bool:
    """Whether ``measure(key)`` will read the chapter's measurements instead of taking them."""
    chapter(key)
    return cache.holds(key)


def check(key: str, measured: dict) -> dict:
    """Per claim of the chapter: what it says, its values and whether it holds."""
    out = {}
    for claim in chapter(key).CLAIMS:
        values = claim.values(measured)
        out[claim.key] = {"says": claim.says, "values": values, "holds": bool(claim.holds(values))}
    return out


def lookup(measured: dict, path: str):
    """The value at a dotted ``path`` (``sign_only.deep.x_sign.test.median``) of a chapter's
    measurements. A key may hold dots itself (a sweep's ``0.45``): the longest one that fits wins."""
    value, parts = measured, path.split(".")
    while parts:
        for n in range(len(parts), 0, -1):
            key = ".".join(parts[:n])
            if isinstance(value, dict) and key in value:
                value, parts = value[key], parts[n:]
                break
            if isinstance(value, list) and n == 1 and key.isdigit() and int(key) < len(value):
                value, parts = value[int(key)], parts[1:]
                break
        else:
            raise KeyError(".".join(parts))
    return value
