r"""Destroy the Jacobian: train while corrupting the backward pass on purpose.

A fully connected net of linear layers and GELU learns the XOR labels of a
noisy Gaussian cloud (:func:`jacobiator.datasets.xor_data`). Layer k computes
:math:`z_k = a_{k-1} W_k + b_k`; its backward pass has three pieces, and each
can be distorted by :func:`jacobiator.distortion.distort`:

.. math::

    \nabla_\theta:\; \frac{\partial L}{\partial W_k} = a_{k-1}^\top \frac{\partial L}{\partial z_k},
    \qquad
    \nabla_x:\; \frac{\partial L}{\partial a_{k-1}} = \frac{\partial L}{\partial z_k}\, \theta_k^\top,
    \qquad
    \theta_k \text{ as used in } \nabla_x .

:math:`\nabla_\theta` is used where it is computed (the update of layer k);
:math:`\nabla_x` is passed on backwards and reaches every earlier layer. The
weights used inside the backward pass can also be replaced by a fixed random
matrix :math:`B_k` (feedback alignment, Lillicrap et al. 2016); the forward
pass always uses the true weights. The distortions are the hooks
(:class:`Distorted`) of the backward pass of :mod:`jacobiator.batched`.

Several networks train side by side as one batch (:class:`jacobiator.batched.Nets`):
slice s has its own seed and its own :class:`Distortion`, so a sweep over p
trains every p and every seed at once.
"""

from dataclasses import dataclass, fields, replace
from typing import Callable

import numpy as np

from . import batched
from .datasets import Data, xor_data
from .distortion import cosine, distort
from .training import BURN_IN_SHARE, relapse

Array = np.ndarray

ACTIVATION = "gelu"
OBJECTIVE = "logistic"


BLUR_MAX = 1.0  # the widest blur of σ' (in units of z): as wide as GELU's bend
CLIP_MAX = 4.0  # clipping at 4 mean magnitudes touches only a few outliers


@dataclass(frozen=True)
class Distortion:
    r"""How one network's backward pass is distorted: for :math:`\nabla_x`, :math:`\nabla_\theta`
    and :math:`\theta` (in the backward pass), a flip probability p and a sign keeping β
    (see :mod:`jacobiator.distortion`); ``feedback`` replaces θ in the backward pass by a fixed
    random matrix before its own distortion applies. ``blur``: the backward pass uses the
    activation's derivative blurred by a Gaussian of that width (:func:`blurred_slope`);
    ``x_clip``: each component of :math:`\nabla_x` is clipped to ``x_clip`` times the mean
    magnitude of its layer's (0: no clipping), before any flips."""

    x_flip: float = 0.0
    x_beta: float = 1.0
    grad_flip: float = 0.0
    grad_beta: float = 1.0
    theta_flip: float = 0.0
    theta_beta: float = 1.0
    feedback: bool = False
    blur: float = 0.0
    x_clip: float = 0.0

    def __post_init__(self):
        highest = {"blur": BLUR_MAX, "x_clip": CLIP_MAX}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "feedback" and not 0.0 <= value <= highest.get(f.name, 1.0):
                raise ValueError(f"{f.name} must be between 0 and {highest.get(f.name, 1)}, got {value!r}")


EXACT = Distortion()

# Each optimiser's step size: the one of a small search that trains exact backprop best
# (claims/destroy.py measures the search and checks the pick); momentum 0.9 takes about
# ten times the step of plain descent, so its step is a tenth.
TUNED_STEP = {"adam": 0.003, "sgd": 0.3, "momentum": 0.03}


@dataclass(frozen=True)
class Setup:
    """Everything but the distortion: the network, the optimiser, the data."""

    depth: int = 2
    width: int = 16
    lr: float = 0.01
    steps: int = 400
    optimizer: str = "adam"  # one of batched.OPTIMIZERS: "adam", "sgd", "momentum" (heavy-ball)
    label_flip: float = 0.1  # share of training labels flipped at random
    n_train: int = 200
    n_test: int = 1000
    data_seed: int = 0
    # The standard cures for a deep plain net (see jacobiator.batched), all off by default:
    init_gain: float = 1.0  # every initial weight times this
    norm: bool = False  # hidden pre-activations normalised over their layer (no learned scale)
    residual: bool = False  # equal-width hidden layers add their input: a_k = a_{k-1} + σ(u_k)

    def __post_init__(self):
        if not 1 <= self.depth <= 8:
            raise ValueError(f"depth must be between 1 and 8 hidden layers, got {self.depth}")
        if not 0.25 <= self.init_gain <= 4.0:
            raise ValueError(f"init_gain must be between 0.25 and 4, got {self.init_gain!r}")
        if self.optimizer not in batched.OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(batched.OPTIMIZERS)}, got {self.optimizer!r}")
        if self.width < 1 or self.steps < 0 or self.lr <= 0:
            raise ValueError("width must be at least 1, steps at least 0 and lr positive")

    @property
    def sizes(self) -> list[int]:
        return [2, *([self.width] * self.depth), 1]  # the two coordinates in, one logit out

    def data(self) -> Data:
        """The noisy XOR cloud to train on and its clean test cloud."""
        return xor_data(self.n_train, self.n_test, self.label_flip, self.data_seed)


class Batch:
    """The distortions of S networks as (S,) arrays, one per field of :class:`Distortion`."""

    def __init__(self, distortions: list[Distortion]):
        for f in fields(Distortion):
            setattr(self, f.name, np.array([getattr(d, f.name) for d in distortions]))


# Gauss-Hermite nodes: E[f(z + s e)], e ~ N(0, 1), is sum_i w_i f(z + sqrt(2) s u_i) / sqrt(pi),
# exact for polynomials of degree up to 29. GELU's derivative is no polynomial: up to a blur of
# width 1 (BLUR_MAX), 15 nodes stay within 1e-6 of the exact convolution.
_NODES, _WEIGHTS = np.polynomial.hermite.hermgauss(15)


def blurred_slope(grad: Callable[[Array], Array], z: Array, width: Array) -> Array:
    r""":math:`(\sigma' * \varphi_s)(z) = E[\sigma'(z + s\,e)]`, :math:`e \sim N(0, 1)`: the derivative
    convolved with a Gaussian of width s, one s per network (S,) against ``z`` (S, ...)."""
    s = np.asarray(width, dtype=float).reshape((-1,) + (1,) * (z.ndim - 1))
    return sum(w * grad(z + np.sqrt(2.0) * s * u) for u, w in zip(_NODES, _WEIGHTS)) / np.sqrt(np.pi)


def clip_relative(g: Array, c: Array) -> Array:
    """Each network's components clipped to ±c times their mean magnitude (c = 0: unchanged)."""
    c = np.asarray(c, dtype=float).reshape((-1,) + (1,) * (g.ndim - 1))
    bound = c * np.abs(g).mean(axis=tuple(range(1, g.ndim)), keepdims=True)
    return np.where(c > 0, np.clip(g, -bound, bound), g)


@dataclass
class Distorted(batched.Hooks):
    """The backward pass of S networks as their distortions change it (identity where exact)."""

    batch: Batch
    feedback: list[Array]  # B_k, (S, fan_in, fan_out): drawn once, never trained
    rng: np.random.Generator  # the flips

    def grad(self, k: int, g: Array) -> Array:
        return distort(g, self.batch.grad_flip, self.batch.grad_beta, self.rng)

    def theta(self, k: int, w: Array) -> Array:
        theta = np.where(self.batch.feedback[:, None, None], self.feedback[k], w)
        return distort(theta, self.batch.theta_flip, self.batch.theta_beta, self.rng)

    def dL_da(self, k: int, g: Array) -> Array:
        if np.any(self.batch.x_clip > 0):
            g = clip_relative(g, self.batch.x_clip)
        return distort(g, self.batch.x_flip, self.batch.x_beta, self.rng)

    def slope(self, k: int, activation, z: Array) -> Array:
        slope = activation.grad(z)
        blurred = self.batch.blur > 0
        if np.any(blurred):  # only the networks that blur pay for the quadrature
            slope[blurred] = blurred_slope(activation.grad, z[blurred], self.batch.blur[blurred])
        return slope


@dataclass
class Run:
    """S networks in training; ``losses`` (S, steps) holds the training loss before each step."""

    setup: Setup
    data: Data
    nets: batched.Nets
    hooks: Distorted
    opt: batched.Adam | batched.SGD
    losses: Array
    done: int = 0

    @property
    def finished(self) -> bool:
        return self.done >= self.setup.steps


def start(setup: Setup, distortions: list[Distortion], seeds: list[int], lrs: list[float] | None = None) -> Run:
    """Network s starts from ``init_mlp(..., default_rng(seeds[s]))`` and trains with ``distortions[s]``,
    at the step size ``lrs[s]`` if given (else ``setup.lr``)."""
    if len(distortions) != len(seeds):
        raise ValueError("one distortion per seed")
    nets = batched.init_nets(setup.sizes, ACTIVATION, seeds, setup.init_gain, setup.norm, setup.residual)
    # B_k is drawn like W_k (N(0, 1/fan_in)), from a stream of its own per seed.
    feedback_rngs = [np.random.default_rng([seed, 1]) for seed in seeds]
    feedback = [np.stack([r.normal(0.0, 1.0 / np.sqrt(w.shape[1]), w.shape[1:]) for r in feedback_rngs])
                for w in nets.weights]
    hooks = Distorted(Batch(distortions), feedback, np.random.default_rng([*seeds, 2]))
    opt = batched.optimizer(setup.optimizer, setup.lr if lrs is None else lrs, len(seeds))
    return Run(setup, setup.data(), nets, hooks, opt, np.full((len(seeds), setup.steps), np.nan))


def train_step(run: Run) -> Array:
    """One full-batch step of every network with its distorted gradient; the losses before it."""
    return batched.train_step(run.nets, run.opt, run.data.x, run.data.t, OBJECTIVE, run.hooks)


def step(run: Run, n_steps: int) -> Run:
    """``n_steps`` more steps (never past the budget); updates ``run`` and returns it."""
    stop = min(run.setup.steps, run.done + n_steps)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(run.done, stop):
            run.losses[:, k] = train_step(run)
    run.done = stop
    return run


def test_accuracy(run: Run) -> Array:
    """Per network the accuracy on the clean test set (S,)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return batched.accuracy(batched.predict(run.nets, run.data.x_test), run.data.t_test)


def evaluate(run: Run) -> dict[str, Array]:
    """Per network the loss and accuracy on the training and the test set, each (S,)."""
    out = {}
    with np.errstate(over="ignore", invalid="ignore"):
        for name, x, t in (("train", run.data.x, run.data.t), ("test", run.data.x_test, run.data.t_test)):
            logit = batched.predict(run.nets, x)
            out[f"{name}_loss"] = batched.logistic(logit, t)[0]
            out[f"{name}_accuracy"] = batched.accuracy(logit, t)
    return out


def alignment(setup: Setup, distortion: Distortion, seeds: list[int], hidden_only: bool = False) -> Array:
    """Per step and seed (steps, S) the cosine between the update direction and the true gradient,
    both taken at the parameters of the distorted run. ``hidden_only``: the hidden layers'
    parameters only (the output layer's gradient never goes through the backward chain)."""
    run = start(setup, [distortion] * len(seeds), seeds)
    x, t = run.data.x, run.data.t
    output_layer = (run.nets.weights[-1].size + run.nets.biases[-1].size) // len(seeds)
    measured = slice(0, -output_layer) if hidden_only else slice(None)
    cosines = np.zeros((setup.steps, len(seeds)))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(setup.steps):
            # The true gradient draws no random numbers, so the run's flips are those of train_step.
            _, true = batched.flat_gradient(run.nets, x, t, OBJECTIVE)
            run.losses[:, k], grad = batched.flat_gradient(run.nets, x, t, OBJECTIVE, run.hooks)
            cosines[k] = cosine(grad[:, measured], true[:, measured])
            run.opt.update(run.nets.flat, grad, np.isfinite(grad).all(axis=1))
    run.done = setup.steps
    return cosines


# Sweeps: final test accuracy against p, against β, against depth ---------------

P_VALUES = (0.0, 0.2, 0.3, 0.4, 0.45, 0.5)
BETA_VALUES = (0.0, 0.25, 0.5, 0.75, 1.0)
DEPTHS = tuple(range(1, 9))


@dataclass(frozen=True)
class Curve:
    key: str
    label: str
    distortion: Callable[[float], Distortion]  # the distortion at one value of the sweep


@dataclass(frozen=True)
class Sweep:
    key: str
    axis: str  # what the values are
    values: tuple
    curves: tuple[Curve, ...]
    over_depth: bool = False  # the values are depths (one network shape per value)


SWEEPS: dict[str, Sweep] = {s.key: s for s in [
    Sweep("flip", "sign-flip probability p", P_VALUES, (
        Curve("x", "∇ₓ flipped", lambda p: Distortion(x_flip=p)),
        Curve("grad", "∇θ flipped", lambda p: Distortion(grad_flip=p)),
        Curve("both", "both flipped", lambda p: Distortion(x_flip=p, grad_flip=p)),
    )),
    Sweep("beta", "sign keeping β (0: sign only, 1: exact)", BETA_VALUES, (
        Curve("x", "∇ₓ", lambda b: Distortion(x_beta=b)),
        Curve("grad", "∇θ", lambda b: Distortion(grad_beta=b)),
    )),
    Sweep("depth", "hidden layers", DEPTHS, (Curve("exact", "exact gradient", lambda _: EXACT),), over_depth=True),
]}


def get_sweep(key: str) -> Sweep:
    if key not in SWEEPS:
        raise ValueError(f"unknown sweep {key!r}; choose one of: {', '.join(SWEEPS)}")
    return SWEEPS[key]


@dataclass(frozen=True)
class Job:
    """One batch of networks trained together: for curve ``curve``, the values ``values`` (indices), every seed."""

    curve: int
    values: tuple[int, ...]
    setup: Setup
    seeds: tuple[int, ...]

    def distortions(self, sweep: Sweep) -> list[Distortion]:
        make = sweep.curves[self.curve].distortion
        return [make(sweep.values[v]) for v in self.values for _ in self.seeds]

    @property
    def slices(self) -> int:
        return len(self.values) * len(self.seeds)


def jobs(sweep: Sweep, setup: Setup, seeds: list[int]) -> list[Job]:
    """A sweep over p or β trains each curve as one batch; a sweep over depth, one batch per depth."""
    if sweep.over_depth:
        return [Job(c, (v,), replace(setup, depth=depth), tuple(seeds))
                for c in range(len(sweep.curves)) for v, depth in enumerate(sweep.values)]
    return [Job(c, tuple(range(len(sweep.values))), setup, tuple(seeds)) for c in range(len(sweep.curves))]


@dataclass
class SweepRun:
    sweep: Sweep
    jobs: list[Job]
    accuracy: Array  # (curves, values, seeds): final test accuracy, NaN until measured
    setback: Array  # (curves, values, seeds): the loss curve's worst setback (training.relapse)
    current: int = 0  # the job in training
    run: Run | None = None

    @property
    def finished(self) -> bool:
        return self.current >= len(self.jobs)

    @property
    def total_steps(self) -> int:
        return sum(j.setup.steps for j in self.jobs)

    @property
    def steps_done(self) -> int:
        done = sum(j.setup.steps for j in self.jobs[:self.current])
        return done + (self.run.done if self.run and not self.finished else 0)


def start_sweep(key: str, setup: Setup, seeds: list[int]) -> SweepRun:
    sweep = get_sweep(key)
    shape = (len(sweep.curves), len(sweep.values), len(seeds))
    return _next_job(SweepRun(sweep, jobs(sweep, setup, seeds), np.full(shape, np.nan), np.full(shape, np.nan),
                              current=-1))


def _next_job(sr: SweepRun) -> SweepRun:
    sr.current += 1
    sr.run = None
    if not sr.finished:
        job = sr.jobs[sr.current]
        sr.run = start(job.setup, job.distortions(sr.sweep), list(job.seeds) * len(job.values))
    return sr


def job_accuracy(sr: SweepRun) -> Array:
    """The test accuracy of the job in training as it is now, (values, seeds)."""
    job = sr.jobs[sr.current]
    return test_accuracy(sr.run).reshape(len(job.values), len(job.seeds))


def step_sweep(sr: SweepRun, n_steps: int) -> SweepRun:
    """``n_steps`` more steps of the job in training; a finished job records its accuracy."""
    if sr.finished:
        return sr
    step(sr.run, n_steps)
    if sr.run.finished:
        job = sr.jobs[sr.current]
        sr.accuracy[job.curve, list(job.values)] = job_accuracy(sr)
        burn_in = int(BURN_IN_SHARE * job.setup.steps)
        sr.setback[job.curve, list(job.values)] = relapse(sr.run.losses, burn_in).reshape(
            len(job.values), len(job.seeds))
        _next_job(sr)
    return sr


def sweep(key: str, setup: Setup, seeds: list[int]) -> SweepRun:
    """A whole sweep, trained to the end."""
    sr = start_sweep(key, setup, seeds)
    while not sr.finished:
        step_sweep(sr, setup.steps)
    return sr


# Why deep nets relapse: the sharpness against the step's stability limit ----------------
#
# Gradient descent at step η is stable along a direction of curvature λ only while λ < 2/η;
# training drives the largest curvature (the sharpness) up to that limit and then hovers
# there with the loss jumping (Cohen et al. 2021, "the edge of stability"). For Adam the
# curvature that counts is that of the preconditioned loss, P^(-1/2) H P^(-1/2) with
# P = diag(sqrt(v̂) + ε), and the limit is (2 + 2β₁) / ((1 − β₁) η) (Cohen et al. 2022).

SHARPNESS_ITERATIONS = 20  # power iterations: enough to settle the top eigenvalue to a few per cent
HVP_STEP = 1e-4  # the finite difference of the Hessian-vector product, relative to |θ|


def stability_limit(setup: Setup) -> float:
    """The sharpness above which the optimiser's step is unstable: 2/η, or Adam's (2 + 2β₁)/((1 − β₁)η)."""
    if setup.optimizer == "adam":
        beta1 = batched.Adam(setup.lr, 1).beta1
        return (2 + 2 * beta1) / ((1 - beta1) * setup.lr)
    if setup.optimizer == "sgd":
        return 2.0 / setup.lr
    return 2.0 * (1 + batched.MOMENTUM) / setup.lr  # heavy ball: (2 + 2μ)/η


def preconditioner(opt: batched.Adam | batched.SGD) -> Array | None:
    """Adam's per-coordinate step scale 1 / sqrt(sqrt(v̂) + ε), (S, P); None for descent."""
    if not isinstance(opt, batched.Adam) or opt.v is None:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        v_hat = opt.v / (1 - opt.beta2**opt.t)
    return 1.0 / np.sqrt(np.sqrt(v_hat) + opt.eps)


def sharpness(run: Run, seed: int = 0) -> Array:
    r"""Per network (S,) the largest eigenvalue of the training loss's Hessian (preconditioned as
    the optimiser steps: :func:`preconditioner`), by power iteration on Hessian-vector products
    :math:`Hv \approx (\nabla L(\theta + h v) - \nabla L(\theta - h v)) / 2h`. Draws no numbers from
    the run's streams and leaves its parameters as they were."""
    nets, x, t = run.nets, run.data.x, run.data.t
    scale = preconditioner(run.opt)
    theta = nets.flat.copy()
    v = np.random.default_rng(seed).normal(size=theta.shape)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    h = HVP_STEP * np.maximum(1.0, np.linalg.norm(theta, axis=1, keepdims=True))
    top = np.zeros(nets.count)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(SHARPNESS_ITERATIONS):
            step = v if scale is None else scale * v
            nets.flat[:] = theta + h * step
            _, up = batched.flat_gradient(nets, x, t, OBJECTIVE)
            nets.flat[:] = theta - h * step
            _, down = batched.flat_gradient(nets, x, t, OBJECTIVE)
            hv = (up - down) / (2 * h)
            if scale is not None:
                hv = scale * hv
            top = np.sum(v * hv, axis=1)  # the Rayleigh quotient of the unit vector v
            v = hv / np.linalg.norm(hv, axis=1, keepdims=True)
    nets.flat[:] = theta
    return top
