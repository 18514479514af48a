"""Small builders for JSON-ready Plotly traces (plain lists, no NaN)."""

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
