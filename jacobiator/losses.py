r"""Losses as pairs of functions: a value and its analytic gradients.

Every loss acts on batches: ``x`` and ``y`` have shape ``(N, n)``, a list of N
vectors of dimension n. ``value(x, y)`` returns the N per-sample losses
:math:`L(x_i, y_i)`; ``dL_dx`` and ``dL_dy`` return the per-sample gradients,
shape ``(N, n)``. The loss of the whole batch is the mean of the values, so its
gradient w.r.t. ``x_i`` is ``dL_dx(x, y)[i] / N``.

Notation: :math:`\langle x | y \rangle` is the per-sample scalar product,
:math:`|x| = \sqrt{\langle x | x \rangle}`, :math:`\hat y = y / |y|`.

Some formulas divide by :math:`|x|` (CosSim, GenSim with :math:`\alpha > 0`)
or by :math:`|y|` (DotSim): there the value and the gradient come out as inf
or nan, silently (the figures mark such arrows as capped). Everywhere else
they are finite.
"""

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

Array = np.ndarray

# log L is taken of L + LOG_EPS, so that log L and its gradient stay finite
# where L = 0 (x = y); below 1e-12 the field is capped anyway.
LOG_EPS = 1e-12


@dataclass(frozen=True)
class Loss:
    """A loss L(x, y) with its gradients w.r.t. both arguments.

    ``nonnegative`` says whether L >= 0 everywhere, which :func:`log_of` needs.
    """

    key: str
    label: str
    formula: str  # LaTeX, shown in the article and the plot title
    value: Callable[[Array, Array], Array]
    dL_dx: Callable[[Array, Array], Array]
    dL_dy: Callable[[Array, Array], Array]
    nonnegative: bool = True


def _quiet(f):
    """Run ``f`` without numpy's warnings about 0/0, x/0 and overflow: the
    singular points of a loss give inf or nan, and the caller decides."""

    @functools.wraps(f)
    def quiet(*args, **kwargs):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return f(*args, **kwargs)

    return quiet


def _dot(x: Array, y: Array) -> Array:
    r"""Per-sample scalar product :math:`\langle x | y \rangle`, shape (N,)."""
    return np.einsum("ij,ij->i", x, y)


def _norm(x: Array) -> Array:
    r"""Per-sample length :math:`|x|`, shape (N,)."""
    return np.sqrt(_dot(x, x))


def _col(a: Array) -> Array:
    """A per-sample scalar (N,) as a column (N, 1), to scale the rows of a batch."""
    return a[:, None]


# --- MSE --------------------------------------------------------------------


def mse(x: Array, y: Array) -> Array:
    r"""Squared distance, per sample: :math:`L(x, y) = \langle x-y | x-y \rangle`."""
    d = x - y
    return np.einsum("ij,ij->i", d, d)


def mse_dx(x: Array, y: Array) -> Array:
    r""":math:`\nabla_x L = 2 (x - y)`."""
    return 2.0 * (x - y)


def mse_dy(x: Array, y: Array) -> Array:
    r""":math:`\nabla_y L = -2 (x - y)`."""
    return -2.0 * (x - y)


# --- Similarities -----------------------------------------------------------


@_quiet
def cos_sim(x: Array, y: Array) -> Array:
    r""":math:`\mathrm{CosSim}(x, y) = \frac{\langle x | y \rangle}{|x|\,|y|}`, the cosine of the angle."""
    return _dot(x, y) / (_norm(x) * _norm(y))


@_quiet
def cos_sim_dx(x: Array, y: Array) -> Array:
    r""":math:`\nabla_x \mathrm{CosSim} = \frac{y}{|x|\,|y|} - \mathrm{CosSim}(x, y) \frac{x}{|x|^2}`."""
    nx, ny = _norm(x), _norm(y)
    return y / _col(nx * ny) - _col(cos_sim(x, y) / nx**2) * x


@_quiet
def cos_sim_dy(x: Array, y: Array) -> Array:
    r""":math:`\nabla_y \mathrm{CosSim} = \frac{x}{|x|\,|y|} - \mathrm{CosSim}(x, y) \frac{y}{|y|^2}`."""
    return cos_sim_dx(y, x)  # CosSim is symmetric


@_quiet
def dot_sim(x: Array, y: Array) -> Array:
    r""":math:`\mathrm{DotSim}(x, y) = \frac{\langle x | y \rangle}{\langle y | y \rangle}`, the
    coordinate of x along y, in units of |y|."""
    return _dot(x, y) / _dot(y, y)


@_quiet
def dot_sim_dx(x: Array, y: Array) -> Array:
    r""":math:`\nabla_x \mathrm{DotSim} = \frac{y}{|y|^2}`: always along y."""
    return y / _col(_dot(y, y))


@_quiet
def dot_sim_dy(x: Array, y: Array) -> Array:
    r""":math:`\nabla_y \mathrm{DotSim} = \frac{x - 2\,\mathrm{DotSim}(x, y)\, y}{|y|^2}`."""
    return (x - _col(2.0 * dot_sim(x, y)) * y) / _col(_dot(y, y))


@_quiet
def dot_sim_norm(x: Array, y: Array) -> Array:
    r""":math:`\mathrm{DotSim}'(x, y) = \frac{\langle x | y \rangle}{|y|} = \langle x | \hat y \rangle`,
    the coordinate of x along y, in the units of x."""
    return _dot(x, y) / _norm(y)


@_quiet
def gen_sim(x: Array, y: Array, alpha: float) -> Array:
    r""":math:`\mathrm{GenSim}_\alpha(x, y) = \frac{\langle x | y \rangle}{|x|^\alpha\,|y|^{2-\alpha}}`,
    :math:`\alpha \in [0, 2]`: DotSim at :math:`\alpha = 0`, CosSim at :math:`\alpha = 1`."""
    return _dot(x, y) / (_norm(x) ** alpha * _norm(y) ** (2.0 - alpha))


@_quiet
def gen_sim_dx(x: Array, y: Array, alpha: float) -> Array:
    r""":math:`\nabla_x \mathrm{GenSim}_\alpha = \frac{y}{|x|^\alpha |y|^{2-\alpha}}
    - \alpha\, \mathrm{GenSim}_\alpha(x, y) \frac{x}{|x|^2}`.

    At :math:`\alpha = 0` the second term is absent (not 0 times 0/0 at x = 0).
    """
    grad = y / _col(_norm(x) ** alpha * _norm(y) ** (2.0 - alpha))
    if alpha != 0:
        grad = grad - _col(alpha * gen_sim(x, y, alpha) / _dot(x, x)) * x
    return grad


@_quiet
def gen_sim_dy(x: Array, y: Array, alpha: float) -> Array:
    r""":math:`\nabla_y \mathrm{GenSim}_\alpha = \frac{x}{|x|^\alpha |y|^{2-\alpha}}
    - (2 - \alpha)\, \mathrm{GenSim}_\alpha(x, y) \frac{y}{|y|^2}`.

    Since :math:`\mathrm{GenSim}_\alpha(x, y) = \mathrm{GenSim}_{2-\alpha}(y, x)`, this is
    :math:`\nabla_x \mathrm{GenSim}_{2-\alpha}` with the arguments swapped.
    """
    return gen_sim_dx(y, x, 2.0 - alpha)


# --- Sign agreement ----------------------------------------------------------


def sign_agree(x: Array, y: Array) -> Array:
    r""":math:`L(x, y) = -\sum_d \max(0, 1 - \mathrm{sgn}(y_d x_d))`, as the article writes it.

    Each coordinate adds 0 where the signs agree, -1 where one is 0 and -2 where
    they disagree: L lies in [-2n, 0], so it is never positive (and minimising it
    as written favours disagreement).
    """
    return -np.sum(np.maximum(0.0, 1.0 - np.sign(y * x)), axis=1)


def sign_agree_dx(x: Array, y: Array) -> Array:
    r""":math:`\nabla_x L = 0` wherever it exists (L is piecewise constant)."""
    return np.zeros_like(x, dtype=float)


def sign_agree_dy(x: Array, y: Array) -> Array:
    r""":math:`\nabla_y L = 0` wherever it exists (L is piecewise constant)."""
    return np.zeros_like(y, dtype=float)


def relu_agree(x: Array, y: Array) -> Array:
    r""":math:`L(x, y) = \sum_d \mathrm{ReLU}(-y_d x_d)`: the disagreement of the signs, weighted."""
    return np.sum(np.maximum(0.0, -y * x), axis=1)


def relu_agree_dx(x: Array, y: Array) -> Array:
    r""":math:`\partial L / \partial x_d = -y_d\, [y_d x_d < 0]` (0 on the kinks :math:`y_d x_d = 0`)."""
    return np.where(y * x < 0, -y, 0.0)


def relu_agree_dy(x: Array, y: Array) -> Array:
    r""":math:`\partial L / \partial y_d = -x_d\, [y_d x_d < 0]` (0 on the kinks :math:`y_d x_d = 0`)."""
    return np.where(y * x < 0, -x, 0.0)


# --- Losses built on the similarities ----------------------------------------


@_quiet
def one_minus_cos_sim(x: Array, y: Array) -> Array:
    r""":math:`L = 1 - \mathrm{CosSim}(x, y)`, in [0, 2]; 0 on the whole ray :math:`\{t y, t > 0\}`."""
    return 1.0 - cos_sim(x, y)


@_quiet
def one_minus_cos_sim_dx(x: Array, y: Array) -> Array:
    r""":math:`\nabla_x L = -\nabla_x \mathrm{CosSim} = \mathrm{CosSim}\frac{x}{|x|^2} - \frac{y}{|x||y|}`:
    orthogonal to x, of length :math:`\sin\theta / |x|`, whatever |y|."""
    return -cos_sim_dx(x, y)


@_quiet
def one_minus_cos_sim_dy(x: Array, y: Array) -> Array:
    r""":math:`\nabla_y L = -\nabla_y \mathrm{CosSim}`."""
    return -cos_sim_dy(x, y)


@_quiet
def one_minus_dot_sim(x: Array, y: Array) -> Array:
    r""":math:`L = 1 - \mathrm{DotSim}(x, y)`: unbounded below, it keeps falling as x grows along y."""
    return 1.0 - dot_sim(x, y)


@_quiet
def one_minus_dot_sim_dx(x: Array, y: Array) -> Array:
    r""":math:`\nabla_x L = -\frac{y}{|y|^2}`: the same arrow at every x."""
    return -dot_sim_dx(x, y)


@_quiet
def one_minus_dot_sim_dy(x: Array, y: Array) -> Array:
    r""":math:`\nabla_y L = -\nabla_y \mathrm{DotSim} = \frac{2\,\mathrm{DotSim}\, y - x}{|y|^2}`."""
    return -dot_sim_dy(x, y)


@_quiet
def mse_one_dot_sim(x: Array, y: Array) -> Array:
    r""":math:`L = \mathrm{MSE}(1, \mathrm{DotSim}) = (1 - \mathrm{DotSim}(x, y))^2`:
    0 on the whole line :math:`\langle x | y \rangle = |y|^2`."""
    return (1.0 - dot_sim(x, y)) ** 2


@_quiet
def mse_one_dot_sim_dx(x: Array, y: Array) -> Array:
    r""":math:`\nabla_x L = -2 (1 - \mathrm{DotSim}) \frac{y}{|y|^2}`."""
    return _col(-2.0 * (1.0 - dot_sim(x, y))) * dot_sim_dx(x, y)


@_quiet
def mse_one_dot_sim_dy(x: Array, y: Array) -> Array:
    r""":math:`\nabla_y L = -2 (1 - \mathrm{DotSim}) \frac{x - 2\,\mathrm{DotSim}\, y}{|y|^2}`."""
    return _col(-2.0 * (1.0 - dot_sim(x, y))) * dot_sim_dy(x, y)


@_quiet
def mse_norm_dot_sim(x: Array, y: Array) -> Array:
    r""":math:`L = \mathrm{MSE}(|y|, \mathrm{DotSim}') = \left(|y| - \frac{\langle x | y \rangle}{|y|}\right)^2
    = \langle y - x | \hat y \rangle^2`: the squared error along y only
    (and :math:`|y|^2 (1 - \mathrm{DotSim})^2`)."""
    return (_norm(y) - dot_sim_norm(x, y)) ** 2


@_quiet
def mse_norm_dot_sim_dx(x: Array, y: Array) -> Array:
    r"""With :math:`e = |y| - \mathrm{DotSim}'(x, y)`: :math:`\nabla_x L = -2 e\, \hat y`."""
    ny = _norm(y)
    e = ny - _dot(x, y) / ny
    return _col(-2.0 * e / ny) * y


@_quiet
def mse_norm_dot_sim_dy(x: Array, y: Array) -> Array:
    r"""With :math:`e = |y| - \mathrm{DotSim}'(x, y)` and :math:`x_\perp = x - \langle x | \hat y \rangle \hat y`:
    :math:`\nabla_y L = 2 e \left(\hat y - \frac{x_\perp}{|y|}\right)`."""
    ny = _norm(y)
    y_hat = y / _col(ny)
    x_along = _dot(x, y_hat)
    x_perp = x - _col(x_along) * y_hat
    return _col(2.0 * (ny - x_along)) * (y_hat - x_perp / _col(ny))


# --- Combinators --------------------------------------------------------------


def loss_sum(a: Loss, b: Loss, key: str, label: str, formula: str) -> Loss:
    r"""The loss :math:`L_a + L_b`, whose gradients are :math:`\nabla L_a + \nabla L_b`."""

    def value(x, y):
        r""":math:`L = L_a(x, y) + L_b(x, y)`."""
        return a.value(x, y) + b.value(x, y)

    def dL_dx(x, y):
        r""":math:`\nabla_x L = \nabla_x L_a + \nabla_x L_b`."""
        return a.dL_dx(x, y) + b.dL_dx(x, y)

    def dL_dy(x, y):
        r""":math:`\nabla_y L = \nabla_y L_a + \nabla_y L_b`."""
        return a.dL_dy(x, y) + b.dL_dy(x, y)

    return Loss(key, label, formula, value, dL_dx, dL_dy, nonnegative=a.nonnegative and b.nonnegative)


def _log_label(label: str) -> str:
    """``log MSE``, but ``log(1 − CosSim)``: brackets when the label has several words."""
    return f"log({label})" if " " in label else f"log {label}"


def log_of(loss: Loss) -> Loss:
    r"""The loss :math:`\log(L + \epsilon)`, whose gradient is :math:`\nabla L / (L + \epsilon)`.

    For a loss that reaches 0 this rescales the field: far from the minimum the
    arrows shrink, near it they blow up (for MSE, :math:`|\nabla \log L| = 2/|x-y|`).
    Only defined for a loss that is never negative: otherwise ValueError.
    """
    if not loss.nonnegative:
        raise ValueError(
            f"log L needs a loss that is never negative, and {loss.label} can be; "
            "switch log off or choose another loss"
        )

    @_quiet
    def value(x, y):
        r""":math:`\log(L(x, y) + \epsilon)`."""
        return np.log(loss.value(x, y) + LOG_EPS)

    def grad(dL):
        @_quiet
        def dlogL(x, y):
            r""":math:`\nabla \log(L + \epsilon) = \frac{\nabla L}{L + \epsilon}`."""
            return dL(x, y) / (loss.value(x, y) + LOG_EPS)[:, None]

        return dlogL

    return Loss(
        key=f"log_{loss.key}",
        label=_log_label(loss.label),
        formula=rf"\log\left({loss.formula}\right)",
        value=value,
        dL_dx=grad(loss.dL_dx),
        dL_dy=grad(loss.dL_dy),
        nonnegative=False,  # log L < 0 wherever L < 1
    )


# --- GenSim, a family of losses -------------------------------------------------


def gensim_loss(alpha: float) -> Loss:
    r"""The loss :math:`\mathrm{MSE}(\mathrm{GenSim}_\alpha(x, y), \mathrm{GenSim}_\alpha(y, y))
    = (\mathrm{GenSim}_\alpha(x, y) - 1)^2`, since :math:`\mathrm{GenSim}_\alpha(y, y) = 1`.

    :math:`\alpha \in [0, 2]`, else ValueError. At :math:`\alpha = 0` it is MSE(1, DotSim);
    at :math:`\alpha = 1`, :math:`(1 - \mathrm{CosSim})^2`.
    """
    alpha = float(alpha)
    if not 0.0 <= alpha <= 2.0:
        raise ValueError(f"GenSim's α must lie in [0, 2], not {alpha:g}")

    @_quiet
    def value(x, y):
        r""":math:`L = (\mathrm{GenSim}_\alpha(x, y) - 1)^2`."""
        return (gen_sim(x, y, alpha) - 1.0) ** 2

    @_quiet
    def dL_dx(x, y):
        r""":math:`\nabla_x L = 2 (\mathrm{GenSim}_\alpha(x, y) - 1) \nabla_x \mathrm{GenSim}_\alpha`."""
        return _col(2.0 * (gen_sim(x, y, alpha) - 1.0)) * gen_sim_dx(x, y, alpha)

    @_quiet
    def dL_dy(x, y):
        r""":math:`\nabla_y L = 2 (\mathrm{GenSim}_\alpha(x, y) - 1) \nabla_y \mathrm{GenSim}_\alpha`."""
        return _col(2.0 * (gen_sim(x, y, alpha) - 1.0)) * gen_sim_dy(x, y, alpha)

    return Loss(
        "gensim",
        "MSE(GenSim_α, 1)",
        rf"\left(\frac{{\langle x \mid y \rangle}}{{|x|^{{{alpha:g}}}\,|y|^{{{2.0 - alpha:g}}}}} - 1\right)^2",
        value,
        dL_dx,
        dL_dy,
    )


# --- The registry ------------------------------------------------------------------

_MSE = Loss("mse", "MSE", r"\langle x-y \mid x-y \rangle", mse, mse_dx, mse_dy)
_COS = Loss("cos", "1 − CosSim", r"1 - \mathrm{CosSim}(x, y)",
            one_minus_cos_sim, one_minus_cos_sim_dx, one_minus_cos_sim_dy)
_MSE_DOT = Loss("mse_dot", "MSE(1, DotSim)", r"\left(1 - \mathrm{DotSim}(x, y)\right)^2",
                mse_one_dot_sim, mse_one_dot_sim_dx, mse_one_dot_sim_dy)

LOSSES: dict[str, Loss] = {
    loss.key: loss
    for loss in [
        Loss("sign_agree", "−Σ max(0, 1 − sgn(y·x))", r"-\sum_d \max\left(0, 1 - \mathrm{sgn}(y_d x_d)\right)",
             sign_agree, sign_agree_dx, sign_agree_dy, nonnegative=False),
        Loss("relu_agree", "Σ ReLU(−y·x)", r"\sum_d \mathrm{ReLU}(-y_d x_d)",
             relu_agree, relu_agree_dx, relu_agree_dy),
        _MSE,
        _COS,
        Loss("dot", "1 − DotSim", r"1 - \mathrm{DotSim}(x, y)",
             one_minus_dot_sim, one_minus_dot_sim_dx, one_minus_dot_sim_dy, nonnegative=False),
        _MSE_DOT,
        Loss("mse_dot_norm", "MSE(|y|, DotSim′)", r"\left(|y| - \frac{\langle x \mid y \rangle}{|y|}\right)^2",
             mse_norm_dot_sim, mse_norm_dot_sim_dx, mse_norm_dot_sim_dy),
        gensim_loss(1.0),
        loss_sum(_COS, _MSE_DOT, "sumsim", "SumSim",
                 r"1 - \mathrm{CosSim}(x, y) + \left(1 - \mathrm{DotSim}(x, y)\right)^2"),
        loss_sum(_COS, _MSE, "cos_mse", "1 − CosSim + MSE",
                 r"1 - \mathrm{CosSim}(x, y) + \langle x-y \mid x-y \rangle"),
    ]
}

# Families of losses with a parameter: key -> factory(alpha). The registry above
# holds one member of each (GenSim at α = 1); get_loss builds the others.
PARAMETRIC: dict[str, Callable[[float], Loss]] = {"gensim": gensim_loss}


def get_loss(key: str, log: bool = False, alpha: float = 1.0) -> Loss:
    """The registered loss ``key``, or its logarithm when ``log`` is true.

    ``alpha`` is the parameter of a parametric family (GenSim's α, in [0, 2]);
    other losses ignore it. ValueError for an unknown key, an α out of range,
    or ``log`` on a loss that can be negative.
    """
    if key not in LOSSES:
        raise ValueError(f"unknown loss {key!r}; choose one of: {', '.join(LOSSES)}")
    loss = PARAMETRIC[key](alpha) if key in PARAMETRIC else LOSSES[key]
    return log_of(loss) if log else loss
