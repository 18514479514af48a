r"""Particles that flow down a loss's gradient field, with fading trails.

A steppable experiment (``start``, ``step``, ``frame``): each particle moves by
:math:`\Delta p = s\,\Delta t\,(v(p) + \text{noise}(p, t))`, where :math:`v` is
:math:`-\nabla L` divided by its 90th-percentile norm over the plane (so every
loss flows at a comparable pace) and capped at ``V_CAP``. Particles live a
random number of frames, then start again at a random point, as do those that
leave the plane or meet an undefined gradient. Heads are coloured by the phase
:math:`|L| \cdot c \bmod 1` (c, the colour speed), as in the original notes.
"""

from dataclasses import dataclass, field

import numpy as np

from ..grids import square_grid
from .palette import PHASES
from .plane import HALF_WIDTH
from .plot import json_list

DT = 0.02  # plane units per frame for a unit velocity at speed 1
V_CAP = 3.0  # no particle moves faster than 3 reference speeds (blow-ups stay visible, not teleports)
LIFE = (40, 160)  # frames a particle lives, drawn uniformly
NOISE_WAVES = 3  # the smooth noise field is a sum of travelling plane waves
TRAIL_BUCKETS = 4  # trails fade in this many steps of opacity


@dataclass
class Swarm:
    minus_grad: object  # p -> -grad L at p, shape (P, 2)
    value: object  # p -> L at p, shape (P,)
    v_ref: float
    rng: np.random.Generator
    p: np.ndarray  # (P, 2) positions
    trail: np.ndarray  # (K, P, 2) last K positions, oldest first
    age: np.ndarray
    life: np.ndarray
    waves: tuple  # (directions (W, 2, 2), phases (W, 2))
    t: float = 0.0
    extra: list = field(default_factory=list)  # traces drawn under the particles (a heatmap)


def velocity_scale(minus_grad) -> float:
    """The 90th percentile of |grad L| over the plane: one reference speed."""
    with np.errstate(all="ignore"):
        m = np.linalg.norm(minus_grad(square_grid(-HALF_WIDTH, HALF_WIDTH, 31)[1]), axis=1)
    m = m[np.isfinite(m) & (m > 0)]
    return float(np.percentile(m, 90)) if m.size else 1.0


def noise(s: Swarm, p: np.ndarray, params: dict) -> np.ndarray:
    """A smooth field of travelling waves: frequency in space and in time from the params."""
    directions, phases = s.waves
    f_space, f_time = params["noise_space"], params["noise_time"]
    out = np.zeros_like(p)
    for k in range(len(phases)):
        arg = f_space * np.einsum("pi,ji->pj", p, directions[k]) + f_time * s.t + phases[k]
        out += np.sin(arg)
    return params["noise"] * out / np.sqrt(len(phases))


def respawn(s: Swarm, which: np.ndarray) -> None:
    n = int(which.sum())
    s.p[which] = s.rng.uniform(-HALF_WIDTH, HALF_WIDTH, (n, 2))
    s.trail[:, which] = s.p[which]  # a new trail starts where the particle appears
    s.age[which] = 0
    s.life[which] = s.rng.integers(*LIFE, n)


def start(params: dict, minus_grad, value, extra=()) -> Swarm:
    rng = np.random.default_rng(params["seed"])
    n, k = params["particles"], params["trail"]
    angles = rng.uniform(0, 2 * np.pi, (NOISE_WAVES, 2))
    directions = np.stack([np.cos(angles), np.sin(angles)], axis=-1)  # (waves, component, dim)
    s = Swarm(minus_grad, value, velocity_scale(minus_grad), rng,
              p=np.zeros((n, 2)), trail=np.zeros((k, n, 2)), age=np.zeros(n, int), life=np.zeros(n, int),
              waves=(directions, rng.uniform(0, 2 * np.pi, (NOISE_WAVES, 2))), extra=list(extra))
    respawn(s, np.ones(n, bool))
    s.age[:] = rng.integers(0, LIFE[0], n)  # staggered, so they do not all respawn together
    return step(s, k, params)  # warm up: the first frame already shows trails


def retarget(s: Swarm, minus_grad, value, extra=()) -> Swarm:
    """The same particles, now flowing down another field (the target moved)."""
    s.minus_grad, s.value, s.extra = minus_grad, value, list(extra)
    s.v_ref = velocity_scale(minus_grad)
    return s


def step(s: Swarm, n: int, params: dict) -> Swarm:
    """Advance the swarm by n frames (Euler steps of the flow)."""
    speed = params["speed"] * DT
    for _ in range(n):
        with np.errstate(all="ignore"):
            v = s.minus_grad(s.p) / s.v_ref + noise(s, s.p, params)
            norm = np.linalg.norm(v, axis=1, keepdims=True)
            v = np.where(norm > V_CAP, v * V_CAP / norm, v)
        s.p = s.p + speed * v
        s.t += DT
        s.age += 1
        s.trail = np.concatenate([s.trail[1:], s.p[None]], axis=0)
        lost = ~np.isfinite(s.p).all(axis=1) | (np.abs(s.p) > HALF_WIDTH).any(axis=1) | (s.age >= s.life)
        if lost.any():
            respawn(s, lost)
    return s


def frame(s: Swarm, params: dict) -> list:
    """The traces of one frame: what lies under the particles, then the trails.

    A trail is a polyline; trails are grouped by the phase colour of their
    particle and cut into age groups of rising opacity, so a frame is a few
    dozen SVG paths however many particles there are (one marker per particle
    would be one SVG element each, and far slower to draw).
    """
    k, n, _ = s.trail.shape
    with np.errstate(all="ignore"):
        phase = np.mod(np.abs(s.value(s.p)) * params["colour_speed"], 1.0)
    hue = np.minimum((np.nan_to_num(phase) * len(PHASES)).astype(int), len(PHASES) - 1)
    edges = np.linspace(0, k - 1, min(TRAIL_BUCKETS, k - 1) + 1).round().astype(int)
    traces = list(s.extra)
    for b, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
        opacity = round(0.2 + 0.8 * (b + 1) / (len(edges) - 1), 2)
        for h, colour in enumerate(PHASES):
            mine = hue == h
            piece = np.concatenate([s.trail[lo:hi + 1, mine], np.full((1, int(mine.sum()), 2), np.nan)])
            xy = piece.transpose(1, 0, 2).reshape(-1, 2)
            traces.append({"type": "scatter", "mode": "lines", "x": json_list(xy[:, 0], 3),
                           "y": json_list(xy[:, 1], 3), "hoverinfo": "skip", "opacity": opacity,
                           "line": {"width": 1.6 if b == len(edges) - 2 else 1.1, "color": colour},
                           "meta": {"role": "particles"}})
    return traces
