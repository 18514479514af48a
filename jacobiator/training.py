r"""The same network trained once per activation and per seed, side by side.

All seeds of one activation train together as a *batch of networks*: layer k
holds :math:`W_k` of shape (S, fan_in, fan_out) and :math:`b_k` of shape
(S, fan_out), one slice per seed, and every product is a batched matmul. The
forward and backward passes are those of :mod:`jacobiator.nn`, written with a
leading seed axis:

.. math::

    z_k = a_{k-1} W_k + b_k, \quad a_k = \sigma(z_k), \qquad
    \frac{\partial L}{\partial W_k} = a_{k-1}^\top \frac{\partial L}{\partial z_k}, \quad
    \frac{\partial L}{\partial z_{k-1}} = \frac{\partial L}{\partial z_k} W_k^\top \odot \sigma'(z_{k-1}).

Each seed's loss is its own mean, so the seeds never mix: slice s of a batched
run is exactly the run that :func:`jacobiator.nn.train` makes from
``init_mlp(sizes, key, default_rng(seed_s))``.

Training is steppable, ``start(config) -> Run``, ``step(run, n) -> Run``, so a
page can train in chunks and draw the curves as they grow; ``compare`` runs a
whole budget and summarises the final test metric per activation.

Also here: the single-neuron XOR experiment (Noel et al. 2021). One neuron
:math:`y = \sigma(w \cdot x + b)` read by an affine output :math:`o = a y + c`
separates XOR when :math:`\sigma(z) = z \cos z` oscillates; a monotone
:math:`\sigma` cannot, because then :math:`o > 0` is a half-plane of x.
"""

import itertools
from dataclasses import dataclass, replace

import numpy as np

from . import nn
from .activations import ACTIVATIONS, Activation, get_activation
from .datasets import SURFACES, best_cut_accuracy, surface_cloud, xor_labels

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


@dataclass(frozen=True)
class Data:
    x: Array  # (N, 2) training inputs
    t: Array  # (N, 1) training targets (noisy labels or noisy heights)
    x_test: Array  # (M, 2)
    t_test: Array  # (M, 1) clean labels or the noiseless surface


def make_data(config: Config) -> Data:
    """The training cloud and a separate clean test set (another seed, no noise, no flips)."""
    if config.dataset == XOR:
        rng = np.random.default_rng(config.data_seed)
        x = rng.normal(size=(config.n_train, INPUTS))
        t = xor_labels(x)
        flipped = rng.random(config.n_train) < config.flip
        t[flipped] = 1.0 - t[flipped]
        x_test = np.random.default_rng(config.data_seed + 1).normal(size=(config.n_test, INPUTS))
        return Data(x, t, x_test, xor_labels(x_test))
    x, t = surface_cloud(config.dataset, config.n_train, config.noise, config.data_seed)
    x_test, t_test = surface_cloud(config.dataset, config.n_test, 0.0, config.data_seed + 1)
    return Data(x, t, x_test, t_test)


# A batch of networks: forward, backward, losses, Adam ------------------------


@dataclass
class Nets:
    """S networks of one shape: ``weights[k]`` is (S, fan_in, fan_out), ``biases[k]`` (S, fan_out).

    All parameters of a seed live in one row of ``flat`` (S, P); the weights and
    biases are views into it, so Adam updates every parameter in a few array operations."""

    flat: Array
    weights: list[Array]
    biases: list[Array]
    activation: Activation

    @property
    def count(self) -> int:
        return self.flat.shape[0]


def init_nets(sizes: list[int], activation: str, seeds: list[int]) -> Nets:
    """One :func:`jacobiator.nn.init_mlp` per seed, stacked along a leading axis."""
    mlps = [nn.init_mlp(sizes, activation, np.random.default_rng(s)) for s in seeds]
    flat = np.stack([np.concatenate([p.ravel() for p in nn.parameters(m)]) for m in mlps])
    weights, biases, at = [], [], 0
    for m, n in itertools.pairwise(sizes):
        weights.append(flat[:, at:at + m * n].reshape(len(seeds), m, n))
        biases.append(flat[:, at + m * n:at + m * n + n])
        at += m * n + n
    return Nets(flat, weights, biases, get_activation(activation))


def unstack(nets: Nets, s: int) -> nn.MLP:
    """Network s of the batch as a plain :class:`jacobiator.nn.MLP` (copies)."""
    return nn.MLP([w[s].copy() for w in nets.weights], [b[s].copy() for b in nets.biases], nets.activation)


def stack(mlps: list[nn.MLP]) -> Nets:
    """Plain networks of one shape as a batch (copies)."""
    nets = init_nets(mlps[0].sizes, mlps[0].activation.key, list(range(len(mlps))))
    nets.flat[...] = [np.concatenate([p.ravel() for p in nn.parameters(m)]) for m in mlps]
    return nets


def forward(nets: Nets, x: Array) -> tuple[Array, list[tuple[Array, Array]]]:
    r"""Outputs (S, N, 1) for the shared batch ``x`` (N, fan_in) and per layer
    :math:`(a_{k-1}, z_k)`; :math:`z_k = a_{k-1} W_k + b_k` for every seed at once."""
    cache = []
    a = x
    last = len(nets.weights) - 1
    for k, (w, b) in enumerate(zip(nets.weights, nets.biases)):
        z = a @ w + b[:, None, :]  # (N, m) @ (S, m, n) broadcasts to (S, N, n)
        cache.append((a, z))
        a = z if k == last else nets.activation.fn(z)
    return a, cache


def predict(nets: Nets, x: Array) -> Array:
    return forward(nets, x)[0]


def backward(nets: Nets, cache: list[tuple[Array, Array]], dL_dout: Array) -> list[tuple[Array, Array]]:
    r"""Per layer :math:`(\partial L/\partial W_k, \partial L/\partial b_k)`, each with the seed axis first."""
    grads = []
    dL_dz = dL_dout
    for k in range(len(nets.weights) - 1, -1, -1):
        a_prev, _ = cache[k]
        grads.append((np.swapaxes(a_prev, -1, -2) @ dL_dz, dL_dz.sum(axis=-2)))
        if k > 0:
            dL_da = dL_dz @ np.swapaxes(nets.weights[k], -1, -2)
            dL_dz = dL_da * nets.activation.grad(cache[k - 1][1])
    return grads[::-1]


def mse(out: Array, target: Array) -> tuple[Array, Array]:
    r"""Per seed :math:`\frac{1}{N}\sum (o - t)^2` (S,) and its gradient w.r.t. the outputs."""
    diff = out - target
    n = diff.shape[-2] * diff.shape[-1]
    return np.mean(diff**2, axis=(-2, -1)), 2.0 * diff / n


def logistic(logit: Array, label: Array) -> tuple[Array, Array]:
    r"""Per seed the mean of :math:`\log(1 + e^{o}) - t\,o` (S,); gradient :math:`(\sigma(o) - t)/N`."""
    loss = np.logaddexp(0.0, logit) - label * logit
    n = logit.shape[-2] * logit.shape[-1]
    return np.mean(loss, axis=(-2, -1)), (0.5 * (1.0 + np.tanh(0.5 * logit)) - label) / n


OBJECTIVES = {"mse": mse, "logistic": logistic}


@dataclass
class Adam:
    """:class:`jacobiator.nn.Adam` for a batch of networks, on their flat (S, P)
    parameters: its own step count per seed, so a seed whose gradient is not
    finite skips its step alone (as :func:`jacobiator.nn.train_step` skips it)."""

    lr: float
    seeds: int
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    t: Array = None  # (S, 1) steps taken
    m: Array = None
    v: Array = None

    def __post_init__(self):
        if self.t is None:
            self.t = np.zeros((self.seeds, 1), dtype=int)

    def update(self, flat: Array, grad: Array, ok: Array) -> None:
        """Update the rows of ``flat`` where ``ok`` (S,) holds; the others keep parameters and moments."""
        if self.m is None:
            self.m, self.v = np.zeros_like(flat), np.zeros_like(flat)
        keep = ok[:, None]
        everyone = bool(ok.all())  # the usual case: no masking needed
        self.t = self.t + keep
        c1, c2 = 1 - self.beta1**self.t, 1 - self.beta2**self.t
        g = grad if everyone else np.where(keep, grad, 0.0)
        m = self.m * self.beta1 + (1 - self.beta1) * g
        v = self.v * self.beta2 + (1 - self.beta2) * g * g
        self.m = m if everyone else np.where(keep, m, self.m)
        self.v = v if everyone else np.where(keep, v, self.v)
        # A seed that never stepped has c1 = 0: its update is masked out anyway.
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = self.lr * (self.m / c1) / (np.sqrt(self.v / c2) + self.eps)
        flat -= delta if everyone else np.where(keep, delta, 0.0)


def train_step(nets: Nets, opt: Adam, x: Array, target: Array, objective: str) -> Array:
    """One full-batch Adam step for every seed; returns the losses (S,) before it.
    A seed with a non-finite gradient skips the step, as in :func:`jacobiator.nn.train_step`."""
    out, cache = forward(nets, x)
    loss, dL_dout = OBJECTIVES[objective](out, target)
    s = nets.count
    grad = np.concatenate([g.reshape(s, -1) for wb in backward(nets, cache, dL_dout) for g in wb], axis=1)
    opt.update(nets.flat, grad, np.isfinite(grad).all(axis=1))
    return loss


# The test metric ------------------------------------------------------------


def accuracy(logit: Array, label: Array) -> Array:
    """Per seed the share of points where ``logit > 0`` agrees with the label (S,)."""
    return np.mean((logit > 0) == (label > 0.5), axis=(-2, -1))


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


def higher_is_better(config: Config) -> bool:
    return config.dataset == XOR


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

    @property
    def median(self) -> float:
        return float(np.median(self.metric))

    @property
    def spread(self) -> float:
        """max − min of the test metric over the seeds."""
        return float(np.max(self.metric) - np.min(self.metric))

    @property
    def median_loss(self) -> float:
        return float(np.median(self.final_loss))

    @property
    def fail_share(self) -> float:
        return float(np.mean(self.failed))


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


def ranking(config: Config, summaries: dict[str, Summary]) -> list[str]:
    """Activations from best to worst median test metric."""
    sign = -1.0 if higher_is_better(config) else 1.0
    return sorted(summaries, key=lambda k: sign * summaries[k].median)


# One neuron on XOR (Noel et al. 2021) ----------------------------------------

XOR_POINTS = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
XOR_TARGETS = xor_labels(XOR_POINTS)  # 1 where the signs differ: (0, 1, 1, 0)


def zcosz_xor_neuron() -> nn.MLP:
    r"""A single :math:`z \cos z` neuron that separates XOR, by construction.

    With :math:`w = (\pi/2, \pi/2)`, :math:`b = \pi` the projection is
    :math:`u = 0` or :math:`2\pi` where the signs agree and :math:`u = \pi`
    where they differ; :math:`\sigma(u) = u\cos u` is then :math:`0` or
    :math:`2\pi` against :math:`-\pi`. The output
    :math:`o = -(\sigma(u) + \pi/2)` is positive exactly where the signs differ."""
    w1 = np.array([[np.pi / 2], [np.pi / 2]])
    b1 = np.array([np.pi])
    w2 = np.array([[-1.0]])
    b2 = np.array([-np.pi / 2])
    return nn.MLP([w1, w2], [b1, b2], get_activation("zcosz"))


def xor_corner_cloud(n: int, spread: float, seed: int) -> Data:
    """``n`` points scattered (Gaussian, std ``spread``) around the four corners (±1, ±1),
    each labelled by its corner's XOR class; an equal number per corner."""
    rng = np.random.default_rng(seed)
    corners = np.repeat(XOR_POINTS, -(-n // 4), axis=0)[:n]
    x = corners + spread * rng.normal(size=corners.shape)
    return Data(x, xor_labels(corners), x, xor_labels(corners))


def xor_points_data() -> Data:
    """The four XOR points, for training and for testing."""
    return Data(XOR_POINTS, XOR_TARGETS, XOR_POINTS, XOR_TARGETS)


def train_neuron(activation: str, steps: int = 200, lr: float = 0.1, seeds: int = 8, data: Data | None = None) -> Run:
    """One hidden neuron and its affine output (depth 1, width 1), trained from
    ``seeds`` initialisations with the logistic loss on ``data`` (default: the four XOR points)."""
    data = xor_points_data() if data is None else data
    config = Config(dataset=XOR, activations=(activation,), depth=1, width=1, lr=lr, steps=steps, seeds=seeds,
                    flip=0.0, n_train=len(data.x), n_test=len(data.x_test))
    nets = {activation: init_nets(config.sizes, activation, config.seed_list)}
    losses = np.full((1, seeds, steps), np.nan)
    return step(Run(config, data, nets, {activation: Adam(lr, seeds)}, losses), steps)


def neuron_accuracies(activation: str, steps: int = 200, lr: float = 0.1, seeds: int = 8) -> Array:
    """Per seed the accuracy on the four XOR points after training (S,)."""
    return final_metrics(train_neuron(activation, steps, lr, seeds))[activation]


def best_random_neuron_accuracy(activation: str, samples: int = 20000, seed: int = 0, scale: float = 4.0) -> float:
    r"""The best accuracy on the four XOR points over ``samples`` random neurons
    :math:`o = a\,\sigma(w \cdot x + b) + c`, every parameter uniform in
    [−scale, scale]: 0.75 for any monotone :math:`\sigma`."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(-scale, scale, (samples, INPUTS, 1))
    b, a, c = (rng.uniform(-scale, scale, (samples, 1)) for _ in range(3))
    sigma = get_activation(activation).fn
    logit = a[:, None, :] * sigma(XOR_POINTS @ w + b[:, None, :]) + c[:, None, :]
    return float(np.max(accuracy(logit, XOR_TARGETS)))
