"""Small builders for JSON-ready Plotly traces (plain lists, no NaN)."""

import numbers

import numpy as np

# Arrow heads: two barbs at +-25 degrees, each 30 % of the shaft.
_HEAD_ANGLE = np.deg2rad(25.0)
_HEAD_SHARE = 0.3


def json_list(a: np.ndarray, digits: int = 4) -> list:
    """``a`` flattened and rounded, NaN turned into None (a gap for Plotly)."""
    flat = np.round(np.asarray(a, dtype=float).ravel(), digits).tolist()
    return [None if v != v else v for v in flat]


def json_grid(a: np.ndarray, digits: int = 4) -> list:
    """A 2D array as a list of rows (for heatmap z), rounded, NaN as None."""
    return [json_list(row, digits) for row in np.asarray(a)]


def arrow_segments(p: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Polyline coordinates drawing arrows from points ``p`` along vectors ``v``.

    Each arrow is 7 entries: shaft start, shaft tip, gap, left barb, tip,
    right barb, gap. So arrow k's shaft goes from entry 7k to entry 7k+1.
    """
    tip = p + v
    c, s = np.cos(_HEAD_ANGLE), np.sin(_HEAD_ANGLE)
    back = -_HEAD_SHARE * v
    left = tip + np.stack([c * back[:, 0] - s * back[:, 1], s * back[:, 0] + c * back[:, 1]], axis=1)
    right = tip + np.stack([c * back[:, 0] + s * back[:, 1], -s * back[:, 0] + c * back[:, 1]], axis=1)
    gap = np.full_like(p, np.nan)
    pts = np.stack([p, tip, gap, left, tip, right, gap], axis=1)  # (A, 7, 2)
    return pts[..., 0], pts[..., 1]


def significant(a: np.ndarray, digits: int = 4) -> list:
    """``a`` rounded to ``digits`` significant figures (losses span decades), non-finite as None."""
    a = np.asarray(a, dtype=float)
    finite = np.isfinite(a) & (a != 0)
    exponent = np.floor(np.log10(np.abs(np.where(finite, a, 1.0))))
    scale = 10.0 ** (digits - 1 - exponent)
    rounded = np.where(finite, np.round(a * scale) / scale, np.where(a == 0, 0.0, np.nan))
    return json_list(rounded, digits=30)


def positive(a) -> list:
    """``a`` for a log axis: :func:`significant`, with zeros, negatives and non-finite values as gaps."""
    a = np.asarray(a, dtype=float)
    return significant(np.where(np.isfinite(a) & (a > 0), a, np.nan))


def title(text: str, x: float) -> dict:
    """A title line above the plot, centred at ``x`` (paper coordinates)."""
    return {"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": x, "y": 1.0,
            "xanchor": "center", "yanchor": "bottom", "font": {"size": 12}}


def single_panel(xaxis: dict, y_title: str, status: str, log_y: bool = True) -> dict:
    """The layout of one plot with its status line above and its legend below: fixed axes,
    a log y axis labelled at the powers of ten."""
    yaxis = {"title": {"text": y_title}, "fixedrange": True}
    if log_y:
        yaxis |= {"type": "log", "exponentformat": "power", "dtick": "D2"}
    return {
        "xaxis": xaxis | {"fixedrange": True},
        "yaxis": yaxis,
        "annotations": [title(status, 0.5)],
        "legend": {"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.2, "yanchor": "top", "font": {"size": 11}},
        "margin": {"l": 60, "r": 10, "t": 30, "b": 80},
        "height": 480,
        "dragmode": False,
    }


def progress(step: int, of: int, **extra) -> dict:
    """A training figure's ``layout.meta``: how far its run has come, ``step`` of ``of`` (in the
    unit its title counts: steps, samples, sizes), and what else the title reports (the batch of a
    sweep, the headline metric), as plain JSON. Tests and the benchmark read progress here, not in
    the title's prose. Metrics are rounded like the data (:func:`significant`: a diverged run's
    NaN is None); a dict of them (one per model, say) stays a dict."""

    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (bool, str)) or value is None:
            return value
        if isinstance(value, numbers.Integral):
            return int(value)
        return significant([value])[0]

    return {"step": int(step), "of": int(of)} | {key: plain(value) for key, value in extra.items()}
