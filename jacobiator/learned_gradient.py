r"""A learned gradient model for :math:`f(x, A) = Ax`: a deep net against a Log-Lin-Exp net.

With :math:`\alpha = (x, A)`, the true gradients are products of the inputs,

.. math::

    \nabla_x = A^\top \nabla_f, \qquad \nabla_A = \nabla_f\, x^\top,

and a model :math:`g(\nabla_f, x, A) \approx (\nabla_x, \nabla_A)` is fitted,
as in :mod:`jacobiator.restore`, only from directional samples: random
:math:`(x, A, \nabla_f, d\alpha)` and the target :math:`\nabla_f \cdot df`,
with :math:`df = \frac12 (f(\alpha + d\alpha) - f(\alpha - d\alpha))` (exact for
a bilinear f). Both models see the same samples in the same order; each is
trained by Adam on the MSE of :math:`g \cdot d\alpha` against the target.

- ``fc``: a fully connected GELU net (:mod:`jacobiator.nn`) on the concatenated inputs.
- ``lle``: a Log-Lin-Exp net (:mod:`jacobiator.loglinexp`): one layer of
  monomials, then a linear read-out.

Then each learned g replaces backprop to fit a small linear model.
"""

from dataclasses import dataclass, field

import numpy as np

from . import loglinexp, nn
from .distortion import cosine

Array = np.ndarray
MODELS = ("fc", "lle")
HELD_OUT = 256


@dataclass(frozen=True)
class Config:
    dim_i: int = 2
    dim_o: int = 2
    samples: int = 60_000  # directional samples, the budget of each model
    batch: int = 50
    lr_fc: float = 0.003  # Adam's step size for each model
    lr_lle: float = 0.01
    depth: int = 3  # fc: hidden layers
    width: int = 64  # fc: units per hidden layer
    monomials: int = 64  # lle: monomials in its layer
    exponent_scale: float = 0.1  # lle: spread of the initial exponents
    seed: int = 0
    f: str = "linear"  # the function whose gradient is learnt, a key of PROBLEMS
    fd_step: float = 1.0  # h: the central difference's step along dα (any h is exact for the bilinear f)

    def __post_init__(self):
        if min(self.dim_i, self.dim_o, self.batch, self.depth, self.width, self.monomials) < 1 or self.samples < 1:
            raise ValueError("dimensions, batch, depth, width, monomials and samples must be at least 1")
        if self.f not in PROBLEMS:
            raise ValueError(f"unknown f {self.f!r}; choose one of: {', '.join(PROBLEMS)}")
        if not self.fd_step > 0:
            raise ValueError(f"fd_step must be positive, got {self.fd_step}")

    @property
    def n_in(self) -> int:
        """Inputs of g: ∇f, x, A."""
        return self.dim_o + self.dim_i + self.dim_o * self.dim_i

    @property
    def n_out(self) -> int:
        """Outputs of g: ∇x, ∇A."""
        return self.dim_i + self.dim_o * self.dim_i

    @property
    def steps(self) -> int:
        return max(1, self.samples // self.batch)


# The problem -----------------------------------------------------------------------


def f(x: Array, A: Array) -> Array:
    """f(x, A) = Ax per sample: x (B, i), A (B, o, i)."""
    return np.einsum("boi,bi->bo", A, x)


def true_gradient(grad_f: Array, x: Array, A: Array) -> Array:
    r"""(∇x, ∇A) flattened per sample: :math:`A^\top \nabla_f` and :math:`\nabla_f x^\top`."""
    grad_x = np.einsum("boi,bo->bi", A, grad_f)
    grad_A = np.einsum("bo,bi->boi", grad_f, x)
    return np.concatenate([grad_x, grad_A.reshape(len(x), -1)], axis=1)


def tanh_f(x: Array, A: Array) -> Array:
    """f(x, A) = tanh(Ax) per sample: not a polynomial, so no Log-Lin-Exp net computes its gradient exactly."""
    return np.tanh(f(x, A))


def tanh_gradient(grad_f: Array, x: Array, A: Array) -> Array:
    r"""(∇x, ∇A) of tanh(Ax): the bilinear answer at :math:`\nabla_f \odot (1 - \tanh^2(Ax))`."""
    return true_gradient(grad_f * (1.0 - tanh_f(x, A) ** 2), x, A)


@dataclass(frozen=True)
class Problem:
    value: object  # (x, A) -> f(x, A), per sample
    gradient: object  # (∇f, x, A) -> (∇x, ∇A) flattened


PROBLEMS = {"linear": Problem(f, true_gradient), "tanh": Problem(tanh_f, tanh_gradient)}


def inputs(grad_f: Array, x: Array, A: Array) -> Array:
    """What g sees: ∇f, x and A side by side, (B, n_in)."""
    return np.concatenate([grad_f, x, A.reshape(len(x), -1)], axis=1)


def draw(config: Config, n: int, rng: np.random.Generator) -> tuple[Array, Array, Array]:
    """n random (∇f, x, A): ∇f and x standard normal, A ~ N(0, 1/dim_i) so that |Ax| is about |x|."""
    grad_f = rng.normal(size=(n, config.dim_o))
    x = rng.normal(size=(n, config.dim_i))
    A = rng.normal(0.0, 1.0 / np.sqrt(config.dim_i), (n, config.dim_o, config.dim_i))
    return grad_f, x, A


def directional_batch(config: Config, rng: np.random.Generator) -> tuple[Array, Array, Array]:
    """Inputs of g, directions dα = (dx, dA) flattened, and targets ∇f · df, for one mini-batch.
    With step h, df = (f(α + h dα) - f(α - h dα)) / 2h: exact for the bilinear f, off by O(h²) for tanh."""
    grad_f, x, A = draw(config, config.batch, rng)
    dx = rng.normal(size=x.shape)
    dA = rng.normal(0.0, 1.0 / np.sqrt(config.dim_i), A.shape)
    value, h = PROBLEMS[config.f].value, config.fd_step
    df = 0.5 * (value(x + h * dx, A + h * dA) - value(x - h * dx, A - h * dA)) / h
    d_alpha = np.concatenate([dx, dA.reshape(len(x), -1)], axis=1)
    return inputs(grad_f, x, A), d_alpha, np.sum(grad_f * df, axis=1)


# The two models, one interface: predict, a training step ------------------------------


@dataclass
class Model:
    key: str
    net: object  # nn.MLP or loglinexp.LogLinExp
    opt: nn.Adam

    def predict(self, u: Array) -> Array:
        return nn.predict(self.net, u) if self.key == "fc" else loglinexp.predict(self.net, u)

    def step(self, u: Array, d_alpha: Array, t: Array) -> float:
        """One Adam step on the MSE of g(u) · dα against t; returns that loss."""
        if self.key == "fc":
            out, cache = nn.forward(self.net, u)
        else:
            out, cache = loglinexp.forward(self.net, u)
        residual = np.sum(out * d_alpha, axis=1) - t
        dL_dout = (2.0 / len(t)) * residual[:, None] * d_alpha
        if self.key == "fc":
            grads = [g for wb in nn.backward(self.net, cache, dL_dout)[0] for g in wb]
            params = nn.parameters(self.net)
        else:
            grads, params = loglinexp.backward(self.net, cache, dL_dout), self.net.params
        if all(np.isfinite(g).all() for g in grads):  # a blown-up step is skipped, the run goes on
            self.opt.update(params, grads)
        return float(np.mean(residual**2))


def make_model(key: str, config: Config) -> Model:
    rng = np.random.default_rng([config.seed, MODELS.index(key)])
    if key == "fc":
        net = nn.init_mlp([config.n_in, *[config.width] * config.depth, config.n_out], "gelu", rng)
    else:
        net = loglinexp.init_lle(config.n_in, config.monomials, config.n_out, rng, config.exponent_scale)
    return Model(key, net, nn.Adam(config.lr_fc if key == "fc" else config.lr_lle))


def exact_lle(config: Config) -> loglinexp.LogLinExp:
    """A Log-Lin-Exp net that computes (∇x, ∇A) exactly: one monomial ∇f_o A_oi per term of ∇x_i,
    one monomial ∇f_o x_i per entry of ∇A, exponents 0 or 1, a read-out of 0s and 1s."""
    o, i = config.dim_o, config.dim_i
    at_grad_f, at_x, at_A = 0, o, o + i
    K = 2 * o * i
    W, M = np.zeros((K, config.n_in)), np.zeros((config.n_out, K))
    for a in range(o):
        for b in range(i):
            k = a * i + b
            W[k, at_grad_f + a] = W[k, at_A + a * i + b] = 1.0  # ∇f_a A_ab, summed into ∇x_b
            M[b, k] = 1.0
            W[o * i + k, at_grad_f + a] = W[o * i + k, at_x + b] = 1.0  # ∇f_a x_b = ∇A_ab
            M[i + k, o * i + k] = 1.0
    return loglinexp.LogLinExp(W, M, np.zeros(config.n_out))


# Training both on the same samples ------------------------------------------------


QUALITY = ("cosine", "rel_error", "rel_error_x", "rel_error_A")


def quality(model: Model, held_out: tuple[Array, Array], dim_i: int | None = None) -> dict[str, float]:
    """On held-out (α, ∇f): the median cosine with the true gradient and the relative error of (∇x, ∇A);
    given ``dim_i``, also the relative error of each block apart, ``rel_error_x`` and ``rel_error_A``:
    the two blocks differ in size and scale, so one error for both can hide a bad ∇x."""
    u, true = held_out
    with np.errstate(over="ignore", invalid="ignore"):
        est = model.predict(u)
    names = QUALITY if dim_i is not None else QUALITY[:2]
    if not np.isfinite(est).all():
        return dict.fromkeys(names, float("nan"))
    out = {"cosine": float(np.median(cosine(est, true))), "rel_error": relative_error(est, true)}
    if dim_i is not None:
        out |= {"rel_error_x": relative_error(est[:, :dim_i], true[:, :dim_i]),
                "rel_error_A": relative_error(est[:, dim_i:], true[:, dim_i:])}
    return out


def relative_error(est: Array, true: Array) -> float:
    return float(np.linalg.norm(est - true) / np.linalg.norm(true))


@dataclass
class Race:
    config: Config
    models: dict[str, Model]
    rng: np.random.Generator  # the shared stream of directional samples
    held_out: tuple[Array, Array]
    history: dict = field(default_factory=dict)  # per model: samples, loss and each of QUALITY
    done: int = 0

    @property
    def finished(self) -> bool:
        return self.done >= self.config.steps


def start(config: Config) -> Race:
    grad_f, x, A = draw(config, HELD_OUT, np.random.default_rng([config.seed, 7]))
    held_out = (inputs(grad_f, x, A), PROBLEMS[config.f].gradient(grad_f, x, A))
    models = {key: make_model(key, config) for key in MODELS}
    race = Race(config, models, np.random.default_rng([config.seed, 3]), held_out,
                {key: {"samples": [], "loss": []} | {name: [] for name in QUALITY} for key in MODELS})
    record(race, {key: float("nan") for key in MODELS})
    return race


def record(race: Race, losses: dict[str, float]) -> None:
    for key, model in race.models.items():
        h = race.history[key]
        h["samples"].append(race.done * race.config.batch)
        h["loss"].append(losses[key])
        for name, value in quality(model, race.held_out, race.config.dim_i).items():
            h[name].append(value)


def record_every(config: Config) -> int:
    return max(1, config.steps // 100)


def step(race: Race, n_steps: int) -> Race:
    """``n_steps`` more mini-batches, each shown to both models."""
    every = record_every(race.config)
    stop = min(race.config.steps, race.done + n_steps)
    pending = {key: [] for key in MODELS}
    with np.errstate(over="ignore", invalid="ignore"):
        while race.done < stop:
            u, d_alpha, t = directional_batch(race.config, race.rng)
            for key, model in race.models.items():
                pending[key].append(model.step(u, d_alpha, t))
            race.done += 1
            if race.done % every == 0 or race.finished:
                record(race, {key: float(np.mean(v)) for key, v in pending.items()})
                pending = {key: [] for key in MODELS}
    return race


def train(config: Config) -> Race:
    return step(start(config), config.steps)


# Using g in place of backprop ---------------------------------------------------


def fit_linear(gradient, config: Config, steps: int = 200, lr: float = 0.1, points: int = 64, seed: int = 5) -> list[float]:
    r"""Fit A of :math:`f(x, A) = Ax` to noisy targets :math:`y = A_* x + \epsilon` by gradient descent on
    the MSE, with ``gradient(grad_f, x, A) -> (∇x, ∇A)`` per point in place of backprop: :math:`\nabla_A`
    is the mean over the points of the model's answer for :math:`\nabla_f = 2(Ax - y)`, the
    gradient of each point's own squared error. Returns the loss before each step."""
    rng = np.random.default_rng(seed)
    o, i = config.dim_o, config.dim_i
    A_star = rng.normal(0.0, 1.0 / np.sqrt(i), (o, i))
    x = rng.normal(size=(points, i))
    y = x @ A_star.T + 0.1 * rng.normal(size=(points, o))
    A = rng.normal(0.0, 1.0 / np.sqrt(i), (o, i))
    curve = []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            residual = x @ A.T - y
            curve.append(float(np.mean(np.sum(residual**2, axis=1))))
            out = gradient(2.0 * residual, x, np.broadcast_to(A, (points, o, i)))
            grad_A = out[:, i:].reshape(points, o, i).mean(axis=0)
            if not np.isfinite(grad_A).all():
                curve.extend([float("nan")] * (steps - len(curve)))
                break
            A = A - lr * grad_A
    return curve


def as_gradient(model: Model):
    """A learned model as a ``gradient(grad_f, x, A)`` function for :func:`fit_linear`."""
    return lambda grad_f, x, A: model.predict(inputs(grad_f, x, A))


DIMS = (1, 2, 3, 4)


def square(config: Config, dim: int) -> Config:
    return Config(**{**config.__dict__, "dim_i": dim, "dim_o": dim})


@dataclass
class DimsSweep:
    """Both models trained at each square size of ``dims``, at each of ``seeds``, one run after another:
    steppable, a few batches at a time. ``result[key][name][size][seed]``: a model's final quality."""

    config: Config
    dims: tuple[int, ...]
    seeds: tuple[int, ...]
    race: Race | None = None  # the run in progress
    runs: int = 0  # runs finished
    result: dict = field(default_factory=lambda: {key: {name: [] for name in QUALITY} for key in MODELS})

    @property
    def done(self) -> int:
        """Sizes finished, every seed measured."""
        return self.runs // len(self.seeds)

    @property
    def finished(self) -> bool:
        return self.done == len(self.dims)

    def run_config(self) -> Config:
        size, seed = divmod(self.runs, len(self.seeds))
        return Config(**{**square(self.config, self.dims[size]).__dict__, "seed": self.seeds[seed]})


def start_dims(config: Config, dims: tuple[int, ...] = DIMS, seeds: tuple[int, ...] | None = None) -> DimsSweep:
    """``seeds``: by default the config's own seed alone."""
    seeds = (config.seed,) if seeds is None else tuple(seeds)
    if not seeds or not dims:
        raise ValueError("a sweep across sizes needs at least one size and one seed")
    sweep = DimsSweep(config, tuple(dims), seeds)
    sweep.race = start(sweep.run_config())
    return sweep


def step_dims(sweep: DimsSweep, n_steps: int) -> DimsSweep:
    """``n_steps`` more mini-batches of the run in progress; a finished run records both models' quality."""
    if sweep.finished:
        return sweep
    step(sweep.race, n_steps)
    if sweep.race.finished:
        if sweep.runs % len(sweep.seeds) == 0:  # the first seed of a size
            for key in MODELS:
                for name in QUALITY:
                    sweep.result[key][name].append([])
        for key in MODELS:
            for name in QUALITY:
                sweep.result[key][name][-1].append(sweep.race.history[key][name][-1])
        sweep.runs += 1
        sweep.race = None if sweep.finished else start(sweep.run_config())
    return sweep


def across_dims(config: Config, dims: tuple[int, ...] = DIMS, seeds: tuple[int, ...] | None = None) -> dict:
    """Per square size dim_i = dim_o and per seed: each model's final held-out quality."""
    sweep = start_dims(config, dims, seeds)
    while not sweep.finished:
        step_dims(sweep, sweep.race.config.steps)
    return sweep.result


# Step sizes tuned per size, with the same search for both models ----------------------


def with_step_size(config: Config, seed: int, lr_fc: float, lr_lle: float) -> Config:
    return Config(**{**config.__dict__, "seed": seed, "lr_fc": lr_fc, "lr_lle": lr_lle})


def final_quality(config: Config) -> dict[str, dict[str, float]]:
    """Both models trained on the same samples: per model, its quality at the end."""
    race = train(config)
    return {key: {name: race.history[key][name][-1] for name in QUALITY} for key in MODELS}


def tune_step_size(config: Config, grid: tuple[float, ...], seeds: tuple[int, ...]) -> dict:
    """For each model, the step size of ``grid`` with the lowest median final relative error over
    ``seeds`` (a run that diverged counts as infinitely bad). The models never interact, so one
    race tries the same step size on both: each gets exactly the same search, on the same samples."""
    if not grid or not seeds:
        raise ValueError("tuning needs at least one step size and one seed")
    if min(grid) <= 0:
        raise ValueError(f"step sizes must be positive, got {min(grid)}")
    errors = {key: [] for key in MODELS}  # per step size, per seed
    for lr in grid:
        runs = [final_quality(with_step_size(config, seed, lr, lr)) for seed in seeds]
        for key in MODELS:
            errors[key].append([run[key]["rel_error"] for run in runs])
    out = {}
    for key in MODELS:
        score = [float(np.median(np.nan_to_num(e, nan=np.inf))) for e in errors[key]]
        out[key] = {"grid": list(grid), "score": score, "rel_error": errors[key],
                    "step_size": grid[int(np.argmin(score))]}
    return out


def tuned_comparison(config: Config, grid: tuple[float, ...], tuning_seeds: tuple[int, ...],
                     seeds: tuple[int, ...]) -> dict:
    """Each model's step size tuned on ``tuning_seeds`` (:func:`tune_step_size`), then both evaluated at
    their own step size on other ``seeds``: per model, the step size, its quality per seed, and what
    one learned gradient costs (parameters, multiply-adds)."""
    if set(tuning_seeds) & set(seeds):
        raise ValueError(f"the tuning seeds {sorted(set(tuning_seeds) & set(seeds))} are also evaluation seeds: "
                         "a step size picked on a seed would be judged on it")
    tuning = tune_step_size(config, grid, tuning_seeds)
    lr = {key: tuning[key]["step_size"] for key in MODELS}
    runs = [final_quality(with_step_size(config, seed, lr["fc"], lr["lle"])) for seed in seeds]
    out = {}
    for key in MODELS:
        cost = model_cost(make_model(key, config))
        out[key] = {"step_size": lr[key], "tuning": tuning[key], "parameters": cost["parameters"],
                    "multiply_adds": cost["multiply_adds"]} | {name: [run[key][name] for run in runs]
                                                               for name in QUALITY}
    return out


# What one gradient costs ----------------------------------------------------------
# Counted in multiply-adds, not timed: a count is the same on every platform and BLAS.


def backprop_multiply_adds(config: Config) -> int:
    r"""One backward pass through :math:`f(x, A) = Ax` given :math:`\nabla_f`:
    :math:`\nabla_x = A^\top \nabla_f` and :math:`\nabla_A = \nabla_f x^\top`, d_o d_i each."""
    return 2 * config.dim_o * config.dim_i


def model_cost(model: Model) -> dict[str, int]:
    """One forward pass of a model for one (∇f, x, A), read off its weights: ``multiply_adds``,
    ``functions``, the evaluations of elementary functions (GELU; log, angle, exp, cos and sin),
    and ``parameters``, the numbers training adjusts."""
    if model.key == "fc":
        return {"multiply_adds": sum(w.size for w in model.net.weights),
                "functions": sum(w.shape[1] for w in model.net.weights[:-1]),
                "parameters": sum(p.size for p in nn.parameters(model.net))}
    K, n_in = model.net.W.shape
    # W log u twice (its real and imaginary parts), Re(m) = |m| cos(phase) once per monomial, the read-out M
    return {"multiply_adds": 2 * K * n_in + K + model.net.M.size,
            "functions": 2 * n_in + 2 * K,  # log|u| and arg u per input; exp and cos per monomial
            "parameters": sum(p.size for p in model.net.params)}


def gradient_costs(config: Config) -> dict:
    """Per model: the multiply-adds of one learned gradient, their ratio to backprop's, and a lower
    bound on the training's multiply-adds (one forward pass and two evaluations of f per sample)
    counted in backprop gradients: how many exact gradients the training alone would have paid for."""
    backprop = backprop_multiply_adds(config)
    out = {"backprop": backprop, "samples": config.samples}
    for key in MODELS:
        cost = model_cost(make_model(key, config))
        training = config.samples * (cost["multiply_adds"] + 2 * config.dim_o * config.dim_i)
        out[key] = cost | {"ratio": cost["multiply_adds"] / backprop, "training_in_gradients": training / backprop}
    return out
