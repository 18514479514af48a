r"""Learned gradients chained through a network, against backprop and feedback alignment.

The network has L square layers of width ``dim``: tanh layers, then a linear read-out,

.. math::

    a_0 = x, \qquad a_l = \sigma_l(A_l a_{l-1}), \qquad y = a_L = A_L a_{L-1},

each layer an :math:`f(x, A)` of :mod:`jacobiator.learned_gradient` (``"tanh"`` or
``"linear"``). It is fitted to a teacher of the same shape by gradient descent on the mean
squared error. The backward pass goes down the layers, and at each layer a *rule* turns
the gradient arriving at its output, :math:`\nabla_{a_l}`, into :math:`\nabla_{a_{l-1}}`
(its :math:`\nabla_x`, handed down) and :math:`\nabla_{A_l}` (its weight gradient):

- ``backprop``: the exact answer, :math:`\nabla_z = \nabla_{a_l} \odot \sigma'(z)`,
  :math:`\nabla_x = A^\top \nabla_z`, :math:`\nabla_A = \nabla_z x^\top`;
- ``fa``, feedback alignment (Lillicrap et al. 2016): the same with a fixed random
  :math:`B_l` in place of :math:`A_l` in :math:`\nabla_x`, and the exact local
  :math:`\nabla_A`;
- ``fc`` and ``lle``: the learned gradient model of that family for the layer's f,
  asked :math:`g(\nabla_{a_l}, a_{l-1}, A_l)`, both halves of its answer used.

A learned rule errs twice at a layer: in its own answer, and in the :math:`\nabla`
it was handed, which the rules above it produced. :func:`gradient_errors` measures how
those errors pile up from the read-out down.
"""

from dataclasses import dataclass

import numpy as np

from . import learned_gradient as lg

Array = np.ndarray
RULES = ("backprop", "fa", "fc", "lle")


@dataclass(frozen=True)
class ChainConfig:
    dim: int = 2  # width of every layer: the size of A the gradient models were trained at
    tanh_layers: int = 2  # L - 1 tanh layers under the linear read-out
    points: int = 64  # the teacher's inputs, one full batch
    steps: int = 300  # gradient descent steps
    lr: float = 0.2
    seed: int = 0

    def __post_init__(self):
        if min(self.dim, self.points, self.steps) < 1 or self.tanh_layers < 0:
            raise ValueError("dim, points and steps must be at least 1, tanh_layers at least 0")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}")

    @property
    def kinds(self) -> list[str]:
        """Each layer's f, bottom up: keys of learned_gradient.PROBLEMS."""
        return ["tanh"] * self.tanh_layers + ["linear"]


def init_weights(config: ChainConfig, rng: np.random.Generator) -> list[Array]:
    """A ~ N(0, 1/dim) per layer, the distribution the gradient models were trained on."""
    return [rng.normal(0.0, 1.0 / np.sqrt(config.dim), (config.dim, config.dim)) for _ in config.kinds]


def forward(config: ChainConfig, weights: list[Array], x: Array) -> list[Array]:
    """The activations a_0 = x, a_1, ..., a_L = y for the points x (N, dim)."""
    acts = [x]
    for kind, A in zip(config.kinds, weights):
        acts.append(lg.PROBLEMS[kind].value(acts[-1], np.broadcast_to(A, (len(x), *A.shape))))
    return acts


def split(out: Array, dim: int) -> tuple[Array, Array]:
    """(∇x, ∇A) side by side per point, as every gradient of learned_gradient, taken apart."""
    return out[:, :dim], out[:, dim:].reshape(len(out), dim, dim)


# The rules: (kind, ∇ at the layer's output, the layer's input, A, layer index) -> (∇x, ∇A) per point


def backprop(kind: str, grad_out: Array, x: Array, A: Array, layer: int) -> tuple[Array, Array]:
    return split(lg.PROBLEMS[kind].gradient(grad_out, x, np.broadcast_to(A, (len(x), *A.shape))), len(A))


def slope(kind: str, x: Array, A: Array) -> Array:
    """σ'(Ax) per point: 1 for the linear layer, 1 - tanh² for tanh."""
    return np.ones((len(x), len(A))) if kind == "linear" else 1.0 - np.tanh(x @ A.T) ** 2


def feedback_alignment(B: list[Array]):
    """∇x through the fixed random B_l instead of A_l; ∇A exact for the ∇ that arrives."""
    def rule(kind: str, grad_out: Array, x: Array, A: Array, layer: int) -> tuple[Array, Array]:
        grad_z = grad_out * slope(kind, x, A)
        return grad_z @ B[layer], grad_z[:, :, None] * x[:, None, :]
    return rule


def learned(models: dict[str, lg.Model]):
    """The gradient model trained on each layer's f: ``models[kind]``."""
    def rule(kind: str, grad_out: Array, x: Array, A: Array, layer: int) -> tuple[Array, Array]:
        u = lg.inputs(grad_out, x, np.broadcast_to(A, (len(x), *A.shape)))
        return split(models[kind].predict(u), len(A))
    return rule


def backward(config: ChainConfig, rule, weights: list[Array], acts: list[Array], grad_y: Array):
    """Down the layers with ``rule``: per layer (bottom up) the ∇ that arrived at its output and its ∇A per point."""
    arrived, grad_A = [None] * len(weights), [None] * len(weights)
    grad = grad_y
    for layer in range(len(weights) - 1, -1, -1):
        arrived[layer] = grad
        grad, grad_A[layer] = rule(config.kinds[layer], grad, acts[layer], weights[layer], layer)
    return arrived, grad_A


# The fit ---------------------------------------------------------------------------


@dataclass
class Problem:
    x: Array
    y: Array  # the teacher's outputs
    start: list[Array]  # the student's initial weights
    B: list[Array]  # feedback alignment's fixed matrices


def problem(config: ChainConfig) -> Problem:
    """The teacher's points, the student's start and the feedback matrices of ``config.seed``."""
    teacher = init_weights(config, np.random.default_rng([config.seed, 11]))
    x = np.random.default_rng([config.seed, 12]).normal(size=(config.points, config.dim))
    return Problem(x, forward(config, teacher, x)[-1], init_weights(config, np.random.default_rng([config.seed, 13])),
                   init_weights(config, np.random.default_rng([config.seed, 14])))


def rule_of(key: str, prob: Problem, models: dict[str, dict[str, lg.Model]] | None = None):
    """The rule named ``key`` (one of RULES); ``models[family][kind]`` for the learned ones."""
    if key not in RULES:
        raise ValueError(f"unknown rule {key!r}; choose one of: {', '.join(RULES)}")
    if key == "backprop":
        return backprop
    if key == "fa":
        return feedback_alignment(prob.B)
    if models is None or key not in models:
        raise ValueError(f"the learned rule {key!r} needs its trained models, one per kind of layer")
    return learned(models[key])


def fit(config: ChainConfig, rule, prob: Problem | None = None) -> list[float]:
    r"""Gradient descent from the student's start with ``rule`` for the backward pass: each point's
    :math:`\nabla_y = 2(y - y_*)`, each :math:`A_l` stepped by the mean of its :math:`\nabla_{A_l}`
    over the points (the exact gradient of the mean squared error, for backprop). The loss before
    each step, and after the last; NaN from a step whose gradient is not finite."""
    prob = prob or problem(config)
    weights = [A.copy() for A in prob.start]
    curve = []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(config.steps):
            acts = forward(config, weights, prob.x)
            residual = acts[-1] - prob.y
            curve.append(float(np.mean(np.sum(residual**2, axis=1))))
            _, grad_A = backward(config, rule, weights, acts, 2.0 * residual)
            means = [g.mean(axis=0) for g in grad_A]
            if not all(np.isfinite(g).all() for g in means):
                return curve + [float("nan")] * (config.steps + 1 - len(curve))
            weights = [A - config.lr * g for A, g in zip(weights, means)]
        residual = forward(config, weights, prob.x)[-1] - prob.y
    return curve + [float(np.mean(np.sum(residual**2, axis=1)))]


def relative(est: Array, true: Array) -> float:
    return float(np.linalg.norm(est - true) / np.linalg.norm(true))


def gradient_errors(config: ChainConfig, rule, prob: Problem | None = None) -> dict[str, list[float]]:
    """At the student's start, against backprop, per layer from the read-out down: the relative error
    of the ∇ arriving at its output (over the points; exact at the read-out), and of its mean ∇A."""
    prob = prob or problem(config)
    acts = forward(config, prob.start, prob.x)
    grad_y = 2.0 * (acts[-1] - prob.y)
    true_arrived, true_A = backward(config, backprop, prob.start, acts, grad_y)
    with np.errstate(over="ignore", invalid="ignore"):
        arrived, grad_A = backward(config, rule, prob.start, acts, grad_y)
    return {"arrived": [relative(a, t) for a, t in zip(arrived, true_arrived)][::-1],
            "grad_A": [relative(g.mean(axis=0), t.mean(axis=0)) for g, t in zip(grad_A, true_A)][::-1]}


# The experiment of one seed: train the models, then chain them -------------------------


def train_models(config: lg.Config) -> dict[str, dict[str, lg.Model]]:
    """Per family, the gradient model of each kind of layer, trained at ``config`` on that kind's f."""
    races = {kind: lg.train(lg.Config(**{**config.__dict__, "f": kind})) for kind in lg.PROBLEMS}
    return {key: {kind: race.models[key] for kind, race in races.items()} for key in lg.MODELS}


def central_difference_error(config: lg.Config, n: int = 4096, seed: int = 9) -> float:
    r"""The relative RMS error of the training targets :math:`\nabla_f \cdot df` against the exact
    :math:`\nabla_f \cdot J\, d\alpha`, for ``config``'s f and step h, on n fresh samples."""
    rng = np.random.default_rng(seed)
    sampled = lg.Config(**{**config.__dict__, "batch": n})
    u, d_alpha, target = lg.directional_batch(sampled, rng)
    o, i = config.dim_o, config.dim_i
    grad_f, x, A = u[:, :o], u[:, o:o + i], u[:, o + i:].reshape(n, o, i)
    exact = np.sum(lg.PROBLEMS[config.f].gradient(grad_f, x, A) * d_alpha, axis=1)
    return relative(target, exact)
