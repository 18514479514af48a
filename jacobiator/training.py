r"""The same network trained once per activation and per seed, side by side.

All seeds of one activation train together as one batch of networks
(:mod:`jacobiator.batched`): slice s is exactly the run that
:func:`jacobiator.nn.train` makes from ``init_mlp(sizes, key, default_rng(seed_s))``,
and seed s starts every activation's network from the same weights.

Training is steppable, ``start(config) -> Run``, ``step(run, n) -> Run``, so a
page can train in chunks and draw the curves as they grow; ``compare`` runs a
whole budget and summarises the final test metric per activation.
"""

from dataclasses import dataclass

import numpy as np

from .activations import get_activation
from .batched import Adam, Nets, accuracy, init_nets, predict, train_step
from .datasets import SURFACES, Data, best_cut_accuracy, surface_cloud, xor_data

Array = np.ndarray

XOR = "xor"
N_TRAIN = 200
N_TEST = 1000
INPUTS = 2

# A seed "fails" when its final test metric is no better than this: on XOR, the
# accuracy of the best straight cut through the cloud (a net that failed to use
# its nonlinearity; see datasets.best_cut_accuracy); on a surface, a test MSE
# above half the surface's variance (the fit explains less than half of it).
SURFACE_FAIL_SHARE = 0.5


# Configuration and data -----------------------------------------------------


@dataclass(frozen=True)
class Config:
    """One experiment: a dataset, the activations compared, the network, the budget.

    ``dataset`` is ``"xor"`` (logistic loss, test accuracy) or a surface key of
    :data:`jacobiator.datasets.SURFACES` (MSE, test MSE against the noiseless
    surface). Seed s initialises every activation's network identically
    (``default_rng(s)``), so activations start from the same weights."""

    dataset: str = XOR
    activations: tuple[str, ...] = ("relu", "tanh")
    depth: int = 2
    width: int = 16
    lr: float = 0.01
    steps: int = 300
    seeds: int = 5
    noise: float = 0.1  # surface targets: Gaussian noise
    flip: float = 0.1  # XOR labels: share flipped at random
    n_train: int = N_TRAIN
    n_test: int = N_TEST
    data_seed: int = 0

    def __post_init__(self):
        if self.dataset != XOR and self.dataset not in SURFACES:
            raise ValueError(f"unknown dataset {self.dataset!r}; choose xor or one of: {', '.join(SURFACES)}")
        for key in self.activations:
            get_activation(key)
        if not 1 <= self.depth <= 8:
            raise ValueError(f"depth must be between 1 and 8 hidden layers, got {self.depth}")
        if self.width < 1 or self.seeds < 1 or self.steps < 0:
            raise ValueError("width and seeds must be at least 1 and steps at least 0")

    @property
    def objective(self) -> str:
        return "logistic" if self.dataset == XOR else "mse"

    @property
    def sizes(self) -> list[int]:
        return [INPUTS, *([self.width] * self.depth), 1]

    @property
    def seed_list(self) -> list[int]:
        return list(range(1, self.seeds + 1))


def make_data(config: Config) -> Data:
    """The training cloud and a separate clean test set (another seed, no noise, no flips)."""
    if config.dataset == XOR:
        return xor_data(config.n_train, config.n_test, config.flip, config.data_seed)
    x, t = surface_cloud(config.dataset, config.n_train, config.noise, config.data_seed)
    x_test, t_test = surface_cloud(config.dataset, config.n_test, 0.0, config.data_seed + 1)
    return Data(x, t, x_test, t_test)


# The test metric ------------------------------------------------------------


def evaluate(config: Config, nets: Nets, data: Data) -> Array:
    """Per seed: test accuracy (XOR) or test MSE against the noiseless surface (S,)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = predict(nets, data.x_test)
        if config.dataset == XOR:
            return accuracy(out, data.t_test)
        err = np.mean((out - data.t_test) ** 2, axis=(-2, -1))
    return np.where(np.isfinite(err), err, np.inf)


def metric_label(config: Config) -> str:
    return "test accuracy" if config.dataset == XOR else "test MSE"


def fail_level(config: Config, data: Data) -> float:
    """The test metric at which a seed counts as failed: on XOR the best straight cut's
    accuracy (about 63 %), on a surface half the variance of the test targets."""
    if config.dataset == XOR:
        return best_cut_accuracy()
    return SURFACE_FAIL_SHARE * float(np.var(data.t_test))


def failed(config: Config, metric: Array, data: Data) -> Array:
    """Which seeds failed: XOR accuracy no better than a straight cut, or a surface test MSE above its fail level."""
    level = fail_level(config, data)
    return metric <= level if config.dataset == XOR else metric > level


# Steppable training ---------------------------------------------------------


@dataclass
class Run:
    """A comparison in progress: per activation a batch of S networks and its optimiser."""

    config: Config
    data: Data
    nets: dict[str, Nets]
    opts: dict[str, Adam]
    losses: Array  # (A, S, steps): training loss before each step, NaN for steps not yet taken
    done: int = 0

    @property
    def finished(self) -> bool:
        return self.done >= self.config.steps


def start(config: Config) -> Run:
    data = make_data(config)
    nets = {a: init_nets(config.sizes, a, config.seed_list) for a in config.activations}
    opts = {a: Adam(config.lr, config.seeds) for a in config.activations}
    losses = np.full((len(config.activations), config.seeds, config.steps), np.nan)
    return Run(config, data, nets, opts, losses)


def step(run: Run, n_steps: int) -> Run:
    """``n_steps`` more Adam steps for every network (never past the budget); updates ``run`` and returns it."""
    stop = min(run.config.steps, run.done + n_steps)
    x, t, objective = run.data.x, run.data.t, run.config.objective
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for i, key in enumerate(run.config.activations):
            nets, opt = run.nets[key], run.opts[key]
            for k in range(run.done, stop):
                run.losses[i, :, k] = train_step(nets, opt, x, t, objective)
    run.done = stop
    return run


def curves(run: Run) -> dict[str, Array]:
    """Per activation the training losses so far, (S, done)."""
    return {key: run.losses[i, :, :run.done] for i, key in enumerate(run.config.activations)}


def final_metrics(run: Run) -> dict[str, Array]:
    """Per activation the test metric (S,) of the networks as they are now."""
    return {key: evaluate(run.config, run.nets[key], run.data) for key in run.config.activations}


def relapse(losses: Array, burn_in: int) -> Array:
    r"""Per seed the worst setback of a loss curve (S, K): the largest
    :math:`L_k / \min_{j<k} L_j` over steps :math:`k \ge` ``burn_in``.

    1 for a curve that only goes down; 10 when the loss once climbed back to ten
    times the best value reached before. NaN (diverged) counts as infinite."""
    losses = np.where(np.isnan(losses), np.inf, losses)
    burn_in = max(1, burn_in)
    if losses.shape[1] <= burn_in:
        return np.ones(losses.shape[0])
    best_before = np.minimum.accumulate(losses, axis=1)[:, burn_in - 1:-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = losses[:, burn_in:] / best_before
    return np.max(np.where(np.isnan(ratio), np.inf, ratio), axis=1)


@dataclass(frozen=True)
class Summary:
    """How one activation's seeds ended: test metric, training loss, failures, setbacks."""

    activation: str
    metric: Array  # (S,) test metric
    final_loss: Array  # (S,) training loss before the last step
    failed: Array  # (S,) bool, see :func:`failed`
    relapse: Array  # (S,) worst setback of the loss curve, see :func:`relapse`


# Setbacks are counted after the first tenth of the budget: early on, Adam's
# first steps may overshoot in any network.
BURN_IN_SHARE = 0.1


def result(run: Run) -> dict[str, Summary]:
    """Per activation the summary of the networks as they are now."""
    metrics = final_metrics(run)
    burn_in = int(BURN_IN_SHARE * run.config.steps)
    out = {}
    for i, key in enumerate(run.config.activations):
        losses = run.losses[i, :, :run.done]
        last = losses[:, -1] if run.done else np.full(run.config.seeds, np.nan)
        out[key] = Summary(key, metrics[key], last, failed(run.config, metrics[key], run.data),
                           relapse(losses, burn_in))
    return out


def compare(config: Config) -> dict[str, Summary]:
    """Train the whole budget and summarise: the numbers the article quotes."""
    return result(step(start(config), config.steps))
