r"""3D drawn on a 2D plot: an orthographic view of a surface over the square.

Plotly's 3D traces need WebGL, which some readers lack and which, rendered in
software, redraws a few times a second at best; a training run wants ten or
more. So a surface is drawn as its mesh lines, projected on the plane of a view
turned by an azimuth about the vertical axis and tilted by an elevation. Each
mesh segment takes the colour of its height band, and bands are drawn far to
near, so the nearer part of the surface lies over the farther one.
"""

import numpy as np

from .palette import GREY, HEIGHTS
from .plot import json_list

# Viridis at six heights: readable on a light and on a dark page.
BAND_COLORS = HEIGHTS


def view(azimuth: float, elevation: float) -> np.ndarray:
    r"""The 3 x 3 matrix taking (x, y, z) to (u, v, depth): turn by ``azimuth``
    degrees about z, then tilt by ``elevation`` degrees towards the viewer."""
    a, e = np.deg2rad(azimuth), np.deg2rad(elevation)
    turn = np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])
    # After the turn the viewer looks along +y; tilting shows the top of the surface.
    tilt = np.array([[1.0, 0.0, 0.0], [0.0, np.sin(e), np.cos(e)], [0.0, np.cos(e), -np.sin(e)]])
    return tilt @ turn


def project(points: np.ndarray, matrix: np.ndarray, z_scale: float) -> np.ndarray:
    """(n, 3) points to (n, 3) of (u, v, depth); heights are scaled by ``z_scale`` first."""
    return (points * np.array([1.0, 1.0, z_scale])) @ matrix.T


def _segments(points: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every mesh segment (m, 2, 3) of the surface z (n, n) over the square grid ``points``
    (n*n, 2; see :func:`jacobiator.grids.square_grid`), and its mean height."""
    p = np.concatenate([points.reshape(*z.shape, 2), z[..., None]], axis=-1)
    along_x = np.stack([p[:, :-1], p[:, 1:]], axis=2).reshape(-1, 2, 3)
    along_y = np.stack([p[:-1, :], p[1:, :]], axis=2).reshape(-1, 2, 3)
    segments = np.concatenate([along_x, along_y])
    return segments, segments[:, :, 2].mean(axis=1)


def _polyline(segments: np.ndarray) -> tuple[list, list]:
    """Segments (m, 2, 2) as one polyline with a gap after each."""
    gaps = np.full((len(segments), 1, 2), np.nan)
    flat = np.concatenate([segments, gaps], axis=1).reshape(-1, 2)
    return json_list(flat[:, 0]), json_list(flat[:, 1])


def surface_traces(points, z, matrix, z_scale, z_range) -> list[dict]:
    """The mesh of z over the square grid ``points``, one line trace per height band, far bands first."""
    segments, height = _segments(points, z)
    projected = project(segments.reshape(-1, 3), matrix, z_scale).reshape(-1, 2, 3)
    lo, hi = z_range
    band = np.clip(((height - lo) / (hi - lo) * len(BAND_COLORS)).astype(int), 0, len(BAND_COLORS) - 1)
    depth = projected[:, :, 2].mean(axis=1)
    # Draw segments far to near; within a trace Plotly keeps the order given.
    order = np.argsort(-depth)
    traces = []
    for k, color in enumerate(BAND_COLORS):
        chosen = order[band[order] == k]
        if not len(chosen):
            continue
        x, y = _polyline(projected[chosen, :, :2])
        traces.append({"type": "scatter", "mode": "lines", "x": x, "y": y, "hoverinfo": "skip",
                       "line": {"color": color, "width": 1.3}, "showlegend": False,
                       "name": f"surface, height band {k + 1}", "meta": {"role": "mesh"}})
    return traces


def _box(z_range, matrix, z_scale) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The floor square under the surface, a vertical axis, and where their labels go, projected."""
    lo, hi = z_range
    corners = np.array([[-1, -1, lo], [1, -1, lo], [1, 1, lo], [-1, 1, lo], [-1, -1, lo]], dtype=float)
    floor = project(corners, matrix, z_scale)
    # The vertical axis stands at the floor corner farthest from the viewer.
    far = corners[int(np.argmax(floor[:4, 2]))]
    pole = project(np.array([far, [far[0], far[1], hi]]), matrix, z_scale)
    ends = project(np.array([[1.15, -1, lo], [-1, 1.15, lo], [far[0], far[1], hi]]), matrix, z_scale)
    return floor, pole, ends


def box_traces(z_range, matrix, z_scale) -> list[dict]:
    """The floor square under the surface and a vertical axis."""
    floor, pole, _ = _box(z_range, matrix, z_scale)
    line = {"color": GREY, "width": 1}
    return [
        {"type": "scatter", "mode": "lines", "x": json_list(floor[:, 0]), "y": json_list(floor[:, 1]),
         "line": line, "hoverinfo": "skip", "showlegend": False, "name": "floor"},
        {"type": "scatter", "mode": "lines", "x": json_list(pole[:, 0]), "y": json_list(pole[:, 1]),
         "line": line, "hoverinfo": "skip", "showlegend": False, "name": "vertical axis"},
    ]


def box_labels(z_range, matrix, z_scale, labels=("x₁", "x₂", "f")) -> list[dict]:
    """The box's axis labels, as annotations at their ends: a training frame leaves them as they
    are, so the page need not redraw them (a text trace would be, with the data)."""
    _, _, ends = _box(z_range, matrix, z_scale)
    # The floor's labels centred beyond its edges; the vertical axis's beside its top, inside the
    # plot, where a title wrapped on a phone cannot meet it.
    places = ({}, {}, {"xanchor": "left", "yanchor": "top", "xshift": 4})
    return [{"text": label, "x": round(float(x), 4), "y": round(float(y), 4), "xref": "x", "yref": "y",
             "showarrow": False, "font": {"color": GREY, "size": 12}} | place
            for label, (x, y, _), place in zip(labels, ends, places)]
