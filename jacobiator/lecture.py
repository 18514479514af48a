r"""The lecture notes' constructions, computed rather than quoted.

From the feed-forward chapter of the notes (Krapac and Šegvić, *Deep
feed-forward models*):

* XOR on the four points of :math:`\{0, 1\}^2`: the least-squares linear
  model :math:`\mathbf w'^* = (X'^\top X')^{-1} X'^\top \mathbf y` gives
  :math:`\mathbf w = 0,\ b = 1/2`, the same output for every point; the
  two-unit ReLU network :math:`f(\mathbf x) = \mathbf w^\top
  \max(0, W^\top \mathbf x + \mathbf c) + b` gives XOR exactly.
* Universal approximation by hinges: a piecewise-linear function of one
  variable is a sum of ReLU hinges :math:`c_0 + \sum_k a_k \max(0, x - t_k)`;
  the notes' solution has knots :math:`t = (0, 1, 2, 3, 6)` and slope changes
  :math:`a = (1, -1, 2, -3, 1)`.
* Depth: a ReLU network cuts its input space into linear regions, one per
  activation pattern; the notes compare a shallow net (20 hidden units) with a
  deep one (two layers of 10), after Montúfar et al. (2014).
* MSE against cross-entropy on a sigmoid output: the MSE gradient with
  respect to the logit carries the factor :math:`\sigma'(z)` and vanishes
  where the sigmoid saturates, right or wrong; cross-entropy's is
  :math:`\sigma(z) - y`.
"""

from dataclasses import dataclass
from math import comb

import numpy as np

from . import nn
from .activations import get_activation, relu, sigmoid
from .grids import square_grid

Array = np.ndarray

# XOR ------------------------------------------------------------------------

# The notes' X' without its column of ones, and y: the rows 00, 01, 10, 11.
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0.0, 1.0, 1.0, 0.0])


def with_ones(x: Array) -> Array:
    r""":math:`X' = [X \;\; \mathbf 1]`: the bias becomes the last weight."""
    return np.hstack([x, np.ones((len(x), 1))])


def least_squares_linear(x: Array, y: Array) -> tuple[Array, float]:
    r"""The minimiser of :math:`\frac1N \lVert X'\mathbf w' - \mathbf y\rVert^2`, from the
    normal equations :math:`X'^\top X' \mathbf w' = X'^\top \mathbf y` (the notes' closed form).
    Returns :math:`(\mathbf w, b)`."""
    design = with_ones(x)
    w_prime = np.linalg.solve(design.T @ design, design.T @ y)
    return w_prime[:-1], float(w_prime[-1])


def linear_mse(w: Array, b: float, x: Array, y: Array) -> float:
    r""":math:`J_\text{MSE} = \frac1N \sum_i (\mathbf w^\top \mathbf x_i + b - y_i)^2`."""
    return float(np.mean((x @ w + b - y) ** 2))


@dataclass(frozen=True)
class TwoLayerReLU:
    r""":math:`f(\mathbf x) = \mathbf w^\top \mathbf h + b`, :math:`\mathbf h = \max(0, W^\top \mathbf x + \mathbf c)`.

    The notes call them :math:`\mathbf W_1, \mathbf b_1, \mathbf w_2, b_2`;
    here they carry Goodfellow et al.'s names :math:`W, \mathbf c, \mathbf w, b`.
    Inputs are rows, so :math:`W^\top \mathbf x` is ``x @ W``."""

    W: Array
    c: Array
    w: Array
    b: float

    def preactivation(self, x: Array) -> Array:
        r""":math:`\mathbf z = W^\top \mathbf x + \mathbf c`, one row per input."""
        return x @ self.W + self.c

    def hidden(self, x: Array) -> Array:
        r""":math:`\mathbf h = \max(0, \mathbf z)`."""
        return relu(self.preactivation(x))

    def __call__(self, x: Array) -> Array:
        return self.hidden(x) @ self.w + self.b


# f(x, y) = max(x + y, 0) - 2 max(x + y - 1, 0): the notes' global minimum.
NOTE_XOR_NET = TwoLayerReLU(W=np.array([[1.0, 1.0], [1.0, 1.0]]), c=np.array([0.0, -1.0]),
                            w=np.array([1.0, -2.0]), b=0.0)


# Hinges -----------------------------------------------------------------------

# The notes' solution h21 = 1 h10 - 1 h11 + 2 h12 - 3 h13 + 1 h14, h1k = max(X - t_k, 0).
NOTE_KNOTS = (0.0, 1.0, 2.0, 3.0, 6.0)
NOTE_SLOPE_CHANGES = (1.0, -1.0, 2.0, -3.0, 1.0)
# The function it draws, read off as its corners (x, f(x)); flat outside [0, 6].
# The notes' plot of the target is not in the text: these corners are what the
# solution passes through, typed here independently of its coefficients.
NOTE_CORNERS = ((0.0, 0.0), (1.0, 1.0), (2.0, 1.0), (3.0, 3.0), (6.0, 0.0))
HINGE_DOMAIN = (-1.0, 7.0)  # where the targets are drawn and fitted
KNOT_SPAN = (0.0, 6.0)  # where added knots go
MAX_HINGES = 12


def note_target(x: Array) -> Array:
    """The notes' piecewise-linear target: straight between its corners, 0 outside [0, 6]."""
    cx, cy = np.array(NOTE_CORNERS).T
    return np.interp(x, cx, cy)


TARGETS = {
    "note": ("the notes' function", note_target),
    "sine": ("1.5 + 1.5 sin(πx/3)", lambda x: 1.5 + 1.5 * np.sin(np.pi * x / 3.0)),
    "bump": ("3 exp(−(x − 3)²/2)", lambda x: 3.0 * np.exp(-0.5 * (x - 3.0) ** 2)),
    "step": ("3 σ(3(x − 3))", lambda x: 3.0 * sigmoid(3.0 * (x - 3.0))),
}


def get_target(key: str):
    if key not in TARGETS:
        raise ValueError(f"unknown target {key!r}; choose one of: {', '.join(TARGETS)}")
    return TARGETS[key][1]


def hinge_features(x: Array, knots: Array) -> Array:
    r"""The design matrix :math:`[1, \max(0, x - t_1), \dots, \max(0, x - t_K)]`, one row per x."""
    x = np.asarray(x, dtype=float)
    return np.hstack([np.ones((x.size, 1)), relu(x.reshape(-1, 1) - np.asarray(knots, dtype=float))])


def hinge_sum(x: Array, knots: Array, slope_changes: Array, offset: float = 0.0) -> Array:
    r""":math:`f(x) = c_0 + \sum_k a_k \max(0, x - t_k)`: slope :math:`\sum_{t_k < x} a_k` at x."""
    return hinge_features(x, knots) @ np.concatenate([[offset], slope_changes])


def interpolating_hinges(knots: Array, values: Array) -> tuple[float, Array]:
    r"""The notes' construction: the hinge sum through the points :math:`(t_k, v_k)`, flat
    outside them. Between knots the slope is :math:`s_k = \frac{v_{k+1} - v_k}{t_{k+1} - t_k}`,
    and :math:`s_0 = s_K = 0`; each hinge adds the change :math:`a_k = s_k - s_{k-1}`, and
    :math:`c_0 = v_1`. Knots must increase strictly. Returns :math:`(c_0, \mathbf a)`."""
    t, v = np.asarray(knots, dtype=float), np.asarray(values, dtype=float)
    if np.any(np.diff(t) <= 0):
        raise ValueError("knots must increase strictly")
    slopes = np.concatenate([[0.0], np.diff(v) / np.diff(t), [0.0]])
    return float(v[0]), np.diff(slopes)


def least_squares_hinges(x: Array, target: Array, knots: Array) -> tuple[float, Array]:
    r"""Free slopes: :math:`(c_0, \mathbf a)` minimising :math:`\sum_i (f(x_i) - y_i)^2` for
    fixed knots, by ``lstsq`` (a knot right of every x gives a zero column: its
    :math:`a_k` is then 0, the minimum-norm choice)."""
    coef = np.linalg.lstsq(hinge_features(x, knots), np.asarray(target, dtype=float), rcond=None)[0]
    return float(coef[0]), coef[1:]


def knot_sequence(count: int) -> Array:
    """The first ``count`` knots: the notes' five (the first ``count`` of them if fewer),
    then each further knot halves the widest gap in [0, 6] (the leftmost of equals).
    The sequence is nested, so adding a hinge leaves the others where they were."""
    if not 1 <= count <= MAX_HINGES:
        raise ValueError(f"hinges must be between 1 and {MAX_HINGES}, got {count}")
    knots = list(NOTE_KNOTS[:count])
    while len(knots) < count:
        edges = np.sort(knots)
        k = int(np.argmax(np.diff(edges)))  # argmax takes the first of equal gaps
        knots.append(float((edges[k] + edges[k + 1]) / 2))
    return np.array(knots)


def rms(a: Array) -> float:
    return float(np.sqrt(np.mean(np.square(a))))


# Linear regions -----------------------------------------------------------------


def random_relu_net(sizes: list[int], seed: int, init: str = "lecun") -> nn.MLP:
    r"""A ReLU network with random weights. ``lecun``: the article's :func:`nn.init_mlp`,
    :math:`W \sim \mathcal N(0, 1/\text{fan\_in})`, :math:`b \sim \mathcal N(0, 0.1^2)`;
    ``uniform``: PyTorch's ``nn.Linear`` default, weights and biases
    :math:`\mathcal U(-1/\sqrt{\text{fan\_in}}, 1/\sqrt{\text{fan\_in}})`."""
    rng = np.random.default_rng(seed)
    if init == "lecun":
        return nn.init_mlp(sizes, "relu", rng)
    if init != "uniform":
        raise ValueError(f"unknown init {init!r}; choose lecun or uniform")
    bounds = [1.0 / np.sqrt(m) for m in sizes[:-1]]
    weights = [rng.uniform(-k, k, (m, n)) for k, m, n in zip(bounds, sizes[:-1], sizes[1:])]
    biases = [rng.uniform(-k, k, n) for k, n in zip(bounds, sizes[1:])]
    return nn.MLP(weights, biases, get_activation("relu"))


def activation_patterns(net: nn.MLP, x: Array) -> Array:
    r"""Which hidden units are on, :math:`z_j(\mathbf x) > 0`, every layer side by side: (N, units)."""
    return np.concatenate([z > 0 for z in nn.preactivations(net, x)], axis=1)


def region_ids(patterns: Array) -> tuple[Array, int]:
    """A region number per point (equal patterns, equal number) and how many there are.

    For a fixed pattern every pre-activation is affine in x, so the points with
    one pattern form a convex polygon: distinct patterns are distinct regions."""
    packed = np.packbits(patterns, axis=1)
    # Up to 64 units the pattern fits one 64-bit key, which np.unique sorts fast.
    if packed.shape[1] <= 8:
        keys = np.zeros((len(packed), 8), dtype=np.uint8)
        keys[:, : packed.shape[1]] = packed
        _, ids = np.unique(keys.view(np.uint64).ravel(), return_inverse=True)
    else:
        _, ids = np.unique(packed, axis=0, return_inverse=True)
    ids = ids.ravel()
    return ids, int(ids.max()) + 1


def count_regions(net: nn.MLP, half_width: float, n: int) -> int:
    """The activation patterns met on an n x n grid over [-h, h]^2: a lower bound on the
    regions meeting the square (a region between grid points is missed)."""
    return region_ids(activation_patterns(net, square_grid(-half_width, half_width, n)[1]))[1]


def plane_bound(lines: int) -> int:
    r"""The most regions ``lines`` lines cut the plane into, :math:`1 + n + \binom n2`
    (lines in general position; a shallow net's bound with n hidden units)."""
    return 1 + lines + comb(lines, 2)


def product_bound(widths: list[int], inputs: int = 2) -> int:
    r"""An upper bound on the regions of a deep ReLU net (Montúfar 2017):
    :math:`\prod_l \sum_{j=0}^{d_l} \binom{n_l}{j}`, :math:`d_l = \min(n_0, n_1, \dots, n_l)`."""
    bound, d = 1, inputs
    for n in widths:
        d = min(d, n)
        bound *= sum(comb(n, j) for j in range(d + 1))
    return bound


def shallow_regions_in_square(W: Array, b: Array, half_width: float) -> int:
    r"""Exactly how many regions the lines :math:`\mathbf w_j^\top \mathbf x + b_j = 0` cut the
    open square :math:`(-h, h)^2` into, for lines in general position: each line
    crossing the square adds one region, each crossing inside it one more
    (Euler's formula), so :math:`1 + L_\text{in} + P_\text{in}`."""
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    # A line meets the square iff |b| < h * |w|_1 (the largest w.x over the square).
    meets = np.abs(b) < half_width * np.abs(W).sum(axis=0)
    i, j = np.triu_indices(W.shape[1], k=1)
    # Lines i and j cross where W[:, i].x = -b_i and W[:, j].x = -b_j: Cramer's rule.
    det = W[0, i] * W[1, j] - W[1, i] * W[0, j]
    crossing = np.abs(det) > 1e-12  # parallel lines do not cross
    safe = np.where(crossing, det, 1.0)
    p1 = (-b[i] * W[1, j] + b[j] * W[1, i]) / safe
    p2 = (-b[j] * W[0, i] + b[i] * W[0, j]) / safe
    inside = crossing & (np.maximum(np.abs(p1), np.abs(p2)) < half_width)
    return 1 + int(meets.sum()) + int(inside.sum())


# MSE against cross-entropy on a sigmoid output ------------------------------------


def sigmoid_residual(z: Array, y: float) -> Array:
    r""":math:`\sigma(z) - y`, written :math:`(1 - y)\,\sigma(z) - y\,\sigma(-z)` so that it keeps
    its relative precision where :math:`\sigma(z)` rounds to the label (large :math:`|z|`)."""
    z = np.asarray(z, dtype=float)
    return (1.0 - y) * sigmoid(z) - y * sigmoid(-z)


def mse_on_sigmoid(z: Array, y: float) -> tuple[Array, Array]:
    r""":math:`\ell = (\sigma(z) - y)^2` and :math:`\frac{d\ell}{dz} = 2(\sigma(z) - y)\,\sigma(z)(1 - \sigma(z))`."""
    z = np.asarray(z, dtype=float)
    r = sigmoid_residual(z, y)
    return r**2, 2.0 * r * sigmoid(z) * sigmoid(-z)


def ce_on_sigmoid(z: Array, y: float) -> tuple[Array, Array]:
    r""":math:`\ell = -y \log \sigma(z) - (1 - y) \log(1 - \sigma(z)) = \log(1 + e^z) - y z`
    (no overflow) and :math:`\frac{d\ell}{dz} = \sigma(z) - y`."""
    z = np.asarray(z, dtype=float)
    return np.logaddexp(0.0, z) - y * z, sigmoid_residual(z, y)


def onehot_squared_errors() -> tuple[float, float]:
    r"""The notes' example: two predictions of class 2, equally wrong, get different squared
    errors :math:`\lVert P - \mathbf y^{OH}\rVert^2`: 1.28 for [0.8, 0, 0.2], 0.96 for [0.4, 0.4, 0.2]."""
    onehot = np.array([0.0, 0.0, 1.0])
    p1, p2 = np.array([0.8, 0.0, 0.2]), np.array([0.4, 0.4, 0.2])
    return float(np.sum((p1 - onehot) ** 2)), float(np.sum((p2 - onehot) ** 2))
