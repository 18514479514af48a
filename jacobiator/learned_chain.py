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


@dataclass(frozen=True)
class ChainConfig:
    dim: int = 2  # width of every layer: the size of A the gradient models were trained at
    tanh_layers: int = 2  # L - 1 tanh layers under the linear read-out
    points: int = 64  # the teacher's inputs, one full batch
    steps: int = 300  # gradient descent steps
    lr: float = 0.1
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


# σ'(z) of each kind of layer, at its pre-activation z = Ax
SLOPES = {"linear": np.ones_like, "tanh": lambda z: 1.0 - np.tanh(z) ** 2}


def feedback_alignment(B: list[Array]):
    """∇x through the fixed random B_l instead of A_l; ∇A exact for the ∇ that arrives."""
    def rule(kind: str, grad_out: Array, x: Array, A: Array, layer: int) -> tuple[Array, Array]:
        grad_z = grad_out * SLOPES[kind](x @ A.T)
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
class Task:
    x: Array
    y: Array  # the teacher's outputs
    start: list[Array]  # the student's initial weights
    B: list[Array]  # feedback alignment's fixed matrices


def make_task(config: ChainConfig) -> Task:
    """The teacher's points, the student's start and the feedback matrices of ``config.seed``."""
    teacher = init_weights(config, np.random.default_rng([config.seed, 11]))
    x = np.random.default_rng([config.seed, 12]).normal(size=(config.points, config.dim))
    return Task(x, forward(config, teacher, x)[-1], init_weights(config, np.random.default_rng([config.seed, 13])),
                   init_weights(config, np.random.default_rng([config.seed, 14])))


def _learned(key: str):
    def make(task: Task, models: dict | None):
        if models is None or key not in models:
            raise ValueError(f"the learned rule {key!r} needs its trained models, one per kind of layer")
        return learned(models[key])
    return make


# rule key -> (the task, the trained models per family or None) -> the rule
RULES = {"backprop": lambda task, models: backprop, "fa": lambda task, models: feedback_alignment(task.B),
         **{key: _learned(key) for key in lg.MODELS}}


def rule_of(key: str, task: Task, models: dict[str, dict[str, lg.Model]] | None = None):
    """The rule named ``key`` (a key of RULES); ``models[family][kind]`` for the learned ones."""
    if key not in RULES:
        raise ValueError(f"unknown rule {key!r}; choose one of: {', '.join(RULES)}")
    return RULES[key](task, models)


@dataclass
class Fit:
    """A fit in progress: the student's weights and the loss before each step taken so far."""

    config: ChainConfig
    rule: object
    task: Task
    weights: list[Array]
    curve: list[float]

    @property
    def finished(self) -> bool:
        return len(self.curve) > self.config.steps


def loss(config: ChainConfig, weights: list[Array], task: Task) -> tuple[float, list[Array]]:
    """The mean squared error over the points, and the activations it came from."""
    acts = forward(config, weights, task.x)
    residual = acts[-1] - task.y
    return float(np.mean(np.sum(residual**2, axis=1))), acts


def start_fit(config: ChainConfig, rule, task: Task | None = None) -> Fit:
    task = task or make_task(config)
    return Fit(config, rule, task, [A.copy() for A in task.start], [])


def step_fit(run: Fit, n_steps: int) -> Fit:
    r"""``n_steps`` more steps of gradient descent with the run's rule for the backward pass: each point's
    :math:`\nabla_y = 2(y - y_*)`, each :math:`A_l` stepped by the mean of its :math:`\nabla_{A_l}` over
    the points (the exact gradient of the mean squared error, for backprop). The curve gets the loss
    before each step, and after the last; a step whose gradient is not finite ends the run in NaN."""
    config = run.config
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n_steps):
            if run.finished:
                break
            value, acts = loss(config, run.weights, run.task)
            run.curve.append(value)
            if len(run.curve) > config.steps:  # the loss after the last step
                break
            _, grad_A = backward(config, run.rule, run.weights, acts, 2.0 * (acts[-1] - run.task.y))
            means = [g.mean(axis=0) for g in grad_A]
            if not all(np.isfinite(g).all() for g in means):
                run.curve.extend([float("nan")] * (config.steps + 1 - len(run.curve)))
                break
            run.weights = [A - config.lr * g for A, g in zip(run.weights, means)]
    return run


def fit(config: ChainConfig, rule, task: Task | None = None) -> list[float]:
    """The whole fit's loss curve: ``steps + 1`` losses, from the start to after the last step."""
    return step_fit(start_fit(config, rule, task), config.steps + 1).curve


def relative(est: Array, true: Array) -> float:
    return float(np.linalg.norm(est - true) / np.linalg.norm(true))


def gradient_errors(config: ChainConfig, rule, task: Task | None = None) -> dict[str, list[float]]:
    """At the student's start, against backprop, per layer from the read-out down: ``arrived``, the
    relative error of the ∇ arriving at its output (over the points; exact at the read-out), and
    ``grad_A``, of its mean ∇A. Beside them ``own``, for each layer above the first, the error of the
    ∇x it hands down when it is given the exact ∇: what the rule adds at that layer, before compounding."""
    task = task or make_task(config)
    acts = forward(config, task.start, task.x)
    grad_y = 2.0 * (acts[-1] - task.y)
    true_arrived, true_A = backward(config, backprop, task.start, acts, grad_y)
    with np.errstate(over="ignore", invalid="ignore"):
        arrived, grad_A = backward(config, rule, task.start, acts, grad_y)
        own = [relative(rule(config.kinds[k], true_arrived[k], acts[k], task.start[k], k)[0], true_arrived[k - 1])
               for k in range(1, len(task.start))]
    return {"arrived": [relative(a, t) for a, t in zip(arrived, true_arrived)][::-1],
            "grad_A": [relative(g.mean(axis=0), t.mean(axis=0)) for g, t in zip(grad_A, true_A)][::-1],
            "own": own[::-1]}


# The experiment of one seed: train the models, then chain them -------------------------


@dataclass
class Experiment:
    """One seed's experiment, steppable: both families trained on each kind of layer's f (a race per
    kind, in turn), then the chain fitted with every rule from the same start."""

    config: lg.Config
    chain: ChainConfig
    races: dict[str, lg.Race]  # per kind of layer
    fits: dict[str, Fit] | None = None  # per rule, once the races are over

    @property
    def samples(self) -> int:
        """Directional samples shown to each family so far, over all races."""
        return sum(race.done * race.config.batch for race in self.races.values())

    @property
    def finished(self) -> bool:
        return self.fits is not None and all(run.finished for run in self.fits.values())

    def models(self) -> dict[str, dict[str, lg.Model]]:
        """Per family, its model of each kind of layer."""
        return {key: {kind: race.models[key] for kind, race in self.races.items()} for key in lg.MODELS}


def start_experiment(config: lg.Config, chain: ChainConfig) -> Experiment:
    return Experiment(config, chain, {kind: lg.start(lg.Config(**{**config.__dict__, "f": kind}))
                                      for kind in lg.PROBLEMS})


def step_experiment(exp: Experiment, batches: int, fit_steps: int) -> Experiment:
    """``batches`` more mini-batches of the race in progress; once all are over, ``fit_steps`` more
    steps of every rule's fit."""
    racing = [race for race in exp.races.values() if not race.finished]
    if racing:
        lg.step(racing[0], batches)
        return exp
    if exp.fits is None:
        task, models = make_task(exp.chain), exp.models()
        exp.fits = {key: start_fit(exp.chain, rule_of(key, task, models), task) for key in RULES}
    for run in exp.fits.values():
        step_fit(run, fit_steps)
    return exp


def capped(curve: list[float]) -> float:
    """A fit's final loss, a run that ends above its start (or not finite) counted at its start."""
    end = curve[-1]
    return end if np.isfinite(end) and end < curve[0] else curve[0]


def seed_run(config: lg.Config, chain: ChainConfig) -> dict:
    """One seed's experiment to its end. Per rule the loss curve, its capped end and its lowest point,
    and (at the start) the gradient errors; per kind of layer each family's held-out relative error."""
    exp = start_experiment(config, chain)
    while not exp.finished:
        step_experiment(exp, config.steps, chain.steps + 1)
    out = {"race": {kind: {key: race.history[key]["rel_error"][-1] for key in lg.MODELS}
                    for kind, race in exp.races.items()}}
    for key, run in exp.fits.items():
        out["start_loss"] = run.curve[0]
        out[key] = ({"curve": run.curve, "end": capped(run.curve), "best": float(np.nanmin(run.curve))}
                    | gradient_errors(chain, run.rule, run.task))
    return out


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
