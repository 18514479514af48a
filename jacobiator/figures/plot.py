"""The figures' plotting helpers: JSON-ready numbers (plain lists, no NaN), numbers
as titles print them, titles, axes, layouts, shared traces, and the trace roles.
"""

from dataclasses import dataclass
import numbers

import numpy as np

from .palette import hex_rgba

# Arrow heads: two barbs at +-25 degrees, each 30 % of the shaft.
_HEAD_ANGLE = np.deg2rad(25.0)
_HEAD_SHARE = 0.3


def json_list(a: np.ndarray, digits: int = 4) -> list:
    """``a`` flattened and rounded, NaN turned into None (a gap for Plotly)."""
    return _without_nan(np.round(np.asarray(a, dtype=float).ravel(), digits))


def json_grid(a: np.ndarray, digits: int = 4) -> list:
    """A 2D array as a list of rows (for heatmap z), rounded, NaN as None."""
    return _without_nan(np.round(np.asarray(a, dtype=float), digits))


def _without_nan(rounded: np.ndarray) -> list:
    """``rounded`` as (nested) lists, NaN as None. One numpy call for the whole array, and
    the gaps looked for only where there are some: each call costs more in Pyodide."""
    values = rounded.tolist()
    if not np.isnan(rounded).any():
        return values
    if rounded.ndim == 1:
        return [None if v != v else v for v in values]
    return [[None if v != v else v for v in row] for row in values]


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


def significant(a: np.ndarray, digits: int = 4, rounding: str = "json") -> list:
    """``a`` rounded to ``digits`` significant figures (losses span decades), non-finite as None.

    Three roundings, kept because each figure's numbers must stay as they were
    (``"json"`` differs from the others in the last bit of about one value in
    seven, ``"scaled"`` from ``"decimal"`` in rare near-ties):

    * ``"json"``: ``a`` times a power of ten, rounded, divided back, then
      :func:`json_list`'s rounding to 30 decimals (most figures);
    * ``"scaled"``: the same without that last rounding (poly_approx);
    * ``"decimal"``: the double nearest the printed digits, through text (the
      lecture notes).
    """
    a = np.asarray(a, dtype=float)
    if rounding == "decimal":
        return [float(f"{v:.{digits}g}") if np.isfinite(v) else None for v in a.ravel().tolist()]
    finite = np.isfinite(a) & (a != 0)
    exponent = np.floor(np.log10(np.abs(np.where(finite, a, 1.0))))
    scale = 10.0 ** (digits - 1 - exponent)
    rounded = np.where(finite, np.round(a * scale) / scale, np.where(a == 0, 0.0, np.nan))
    if rounding == "scaled":
        return [None if v != v else v for v in rounded.ravel().tolist()]
    return json_list(rounded, digits=30)


def positive(a) -> list:
    """``a`` for a log axis: :func:`significant`, with zeros, negatives and non-finite values as gaps."""
    a = np.asarray(a, dtype=float)
    return significant(np.where(np.isfinite(a) & (a > 0), a, np.nan))


def log_range(*curves, step: float = 0.5) -> dict:
    """The ``range`` of a log axis (in decades, as Plotly takes it) that holds the positive values of
    ``curves`` (None a gap), its ends on whole multiples of ``step`` decades, a little beyond the
    extreme values. A training figure's loss axis then moves only when a curve crosses such a
    line, not at every frame, so the page can draw the curves without Plotly (widget.js,
    ``coverable``). Empty when no curve has a positive value: Plotly's autorange then."""
    values = np.array([v for c in curves for v in c if v is not None], dtype=float)
    values = np.log10(values[np.isfinite(values) & (values > 0)])
    if not values.size:
        return {}
    margin = 0.02  # decades: a curve at 1 is not drawn on the frame
    low = np.floor((values.min() - margin) / step) * step
    high = np.ceil((values.max() + margin) / step) * step
    return {"range": [float(low) + 0.0, float(high) + 0.0]}  # + 0.0: no -0.0 in the JSON


def fmt(v: float, digits: int = 3) -> str:
    """A number as titles print it: ``digits`` significant digits, a true minus sign."""
    return f"{v:.{digits}g}".replace("-", "−")


def percent(share: float, smallest: float = 1.0) -> str:
    """A share in whole percents, never rounded to 0 % or 100 % when it is neither:
    just below 100 % one decimal or "> 99.9 %"; a tiny non-zero share "< 1 %", or
    "< ``smallest`` %" below ``smallest`` percent (for a table telling 0.5 % from 0.001 %)."""
    p = 100.0 * share
    if 99.5 <= p < 100.0:
        return f"{p:.1f} %" if p < 99.95 else "> 99.9 %"
    if 0.0 < p < 0.5:
        return f"< {smallest:g} %" if p < smallest else "< 1 %"
    return f"{p:.0f} %"


def title(text: str, x: float, y: float = 1.0, sub: str = "", **extra) -> dict:
    """A title line above a panel, centred at ``x`` (paper coordinates), with a smaller
    second line ``sub`` if given."""
    if sub:
        text += f"<br><span style='font-size:11px'>{sub}</span>"
    return {"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": x, "y": y,
            "xanchor": "center", "yanchor": "bottom", "font": {"size": 12}} | extra


def axis(title: str, span=None, lines: bool = False, **extra) -> dict:
    """A fixed axis (no zoom or pan) titled ``title`` over ``span`` (autoscaled if None);
    ``lines``: with grid lines and a zero line."""
    span = {} if span is None else {"range": list(span)}
    return span | {"zeroline": lines, "fixedrange": True, "showgrid": lines, "title": {"text": title}} | extra


def legend_below(y: float, **extra) -> dict:
    """A horizontal legend centred on the plot, at height ``y`` (paper coordinates; below it when negative)."""
    return {"orientation": "h", "x": 0.5, "xanchor": "center", "y": y} | extra


def base_layout(**overrides) -> dict:
    """What every figure's layout shares (a page figure is not dragged about), then ``overrides``."""
    return {"dragmode": False} | overrides


def single_panel(xaxis: dict, y_title: str, status: str, log_y: bool = True) -> dict:
    """The layout of one plot with its status line above and its legend below: fixed axes,
    a log y axis labelled at the powers of ten."""
    yaxis = {"title": {"text": y_title}, "fixedrange": True}
    if log_y:
        yaxis |= {"type": "log", "exponentformat": "power", "dtick": "D2"}
    return base_layout(
        xaxis=xaxis | {"fixedrange": True},
        yaxis=yaxis,
        annotations=[title(status, 0.5)],
        legend=legend_below(-0.2, yanchor="top", font={"size": 11}),
        margin={"l": 60, "r": 10, "t": 30, "b": 80},
        height=480,
    )


def band_traces(x: list, low: np.ndarray, high: np.ndarray, colour: str, label: str, **common) -> list[dict]:
    """A min–max band: its lower edge, then its upper edge filled down to it (two line
    traces without hover); ``common`` goes into both (legendgroup, axes, meta)."""
    common = {"type": "scatter", "mode": "lines", "x": x, "hoverinfo": "skip", "showlegend": False} | common
    return [
        common | {"name": f"{label} min", "y": significant(low), "line": {"width": 0, "color": colour}},
        common | {"name": f"{label} min–max", "y": significant(high), "fill": "tonexty",
                  "fillcolor": hex_rgba(colour, 0.18), "line": {"width": 0, "color": colour}},
    ]


# Trace roles ---------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    """What a trace's ``meta.role`` tells the page.

    ``canvas``: a line trace of many short pieces, stroked on a canvas over the
    plot rather than by Plotly (canvas-layer.js). ``theme``: the entry of
    theme.js's light and dark palettes that recolours it ("ink", "accent": its
    line and markers; "scale": its colour scale)."""

    canvas: bool = False
    theme: str | None = None


# Every role a figure may give a trace. A role is what a trace is in its figure;
# tests select traces by it, and the page acts on the ones declared special here.
PLAIN = (
    "band", "baseline", "boundary", "chebyshev", "chebyshev-clipped", "chebyshev-error", "class0", "class1",
    "cosine", "curve", "error", "fail-threshold", "fit", "function", "histogram", "kinks", "knots", "learned",
    "log_series", "log_series-clipped", "log_series-error", "loss", "loss-band", "loss-median", "marker",
    "matrix", "mean", "metric-median", "metric-seeds", "neuron", "reference", "regions", "rel_error",
    "relative error", "seeds", "separator", "table", "target", "target-copy", "target-curve", "taylor",
    "taylor-clipped", "taylor-error", "terms", "test-accuracy", "test-loss", "train-accuracy", "train-loss",
    "undefined", "xor-0", "xor-1",
)
ROLES: dict[str, Role] = {role: Role() for role in PLAIN} | {
    "arrows": Role(canvas=True, theme="ink"),
    "capped": Role(canvas=True),
    "particles": Role(canvas=True),
    "mesh": Role(canvas=True),
    "paths": Role(theme="accent"),
    "heatmap": Role(theme="scale"),
}


def page_roles() -> dict:
    """What the page needs of ROLES, for the widget's spec: the canvas-drawn roles,
    and each themed role's palette entry."""
    return {"canvas": sorted(k for k, r in ROLES.items() if r.canvas),
            "themed": {k: r.theme for k, r in sorted(ROLES.items()) if r.theme}}


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
