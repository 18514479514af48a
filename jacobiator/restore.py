r"""Restore the Jacobian: learn it from directional samples, without backprop.

For :math:`f(\alpha)`, the chain rule :math:`\nabla_\alpha = \nabla_f J` and the
definition of the Jacobian, :math:`J\,d\alpha = df`, give one scalar identity:

.. math::

    \underbrace{(\nabla_f J)}_{\nabla_\alpha} \cdot d\alpha = \nabla_f \cdot \underbrace{(J\,d\alpha)}_{df}.

The right side needs only two evaluations of f. So a model
:math:`g(\nabla_f, \alpha) \approx \nabla_\alpha` can be fitted to many random
:math:`(\alpha, \nabla_f, d\alpha)` by asking :math:`g \cdot d\alpha \approx \nabla_f \cdot df`.

Here, part 1 of the chapter: :math:`f(x) = \theta x` with
:math:`\theta \in \mathbb{R}^{d_o \times d_i}`, and the model is given the
structure of the answer, :math:`g(\nabla_f) = \nabla_f \hat J`: it learns a
matrix :math:`\hat J` of the shape of :math:`J = \theta`.

- **Random subspace sampling.** Every mini-batch draws ``dim_sample`` of the
  :math:`d_i` input coordinates at random; its directions :math:`d\alpha` are
  Gaussian on those coordinates and zero elsewhere, so a step sees (and
  changes) only those columns of :math:`\hat J`.
- **Batches and epochs.** Every directional sample gives one equation, and a
  mini-batch touches the :math:`d_o \times` ``dim_sample`` entries of its
  columns, so it holds that many samples. :math:`J` has :math:`d_i d_o`
  unknowns, so an epoch is :math:`d_i d_o` samples, :math:`d_i /` ``dim_sample``
  steps. Runs of every size with the same epochs and the same proportion
  ``dim_sample`` / :math:`d_i` take the same number of steps and see the same
  number of equations per unknown.
- **The loss** compares the predictions :math:`p_k = \nabla_{f,k}^\top \hat J\, d_k`
  with the targets :math:`t_k = \nabla_{f,k} \cdot df_k` over the batch:
  :math:`(1 - w)\,\operatorname{MSE}(p, t) + w\,(1 - \cos(p, t))`. Cosine
  similarity cannot see the scale of :math:`\hat J`: scaling it scales p.
- **initial_messup** scales the random initial :math:`\hat J`.
- **The optimiser** is plain gradient descent by default: its expected step
  shrinks the error of the sampled columns by the factor :math:`1 - 2\,lr`
  whatever the size, so one ``lr`` means the same at every size. With Adam,
  ``lr`` is relative to the scale :math:`1/\sqrt{d_i}` of the entries of J,
  for the same reason.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from . import losses, nn
from .distortion import cosine

Array = np.ndarray

ONE_MINUS_COS = losses.LOSSES["cos"]  # value and gradient of 1 - CosSim, row by row
OPTIMIZERS = ("sgd", "adam")
HELD_OUT = 256  # held-out directional samples


@dataclass(frozen=True)
class Config:
    dim_i: int = 8
    dim_o: int = 8
    dim_sample: int = 2
    epochs: float = 50.0
    optimizer: str = "sgd"  # or "adam"
    lr: float = 0.2
    initial_messup: float = 1.0
    cos_weight: float = 0.0  # 0: MSE only, 1: 1 - cosine only
    seed: int = 0

    def __post_init__(self):
        if not 1 <= self.dim_sample <= self.dim_i:
            raise ValueError(f"dim_sample must be between 1 and dim_i = {self.dim_i}, got {self.dim_sample}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        if not 0.0 <= self.cos_weight <= 1.0:
            raise ValueError(f"cos_weight must be between 0 and 1, got {self.cos_weight}")
        if min(self.dim_i, self.dim_o) < 1 or self.epochs <= 0 or self.initial_messup <= 0:
            raise ValueError("dimensions must be at least 1, epochs and initial_messup positive")

    @property
    def samples_per_epoch(self) -> int:
        return self.dim_i * self.dim_o

    @property
    def batch(self) -> int:
        """Samples per mini-batch: as many as the entries of Ĵ it touches."""
        return self.dim_o * self.dim_sample

    @property
    def steps(self) -> int:
        return max(1, math.ceil(self.epochs * self.samples_per_epoch / self.batch))


def directional_targets(f, x: Array, d: Array, grad_f: Array) -> Array:
    r""":math:`\nabla_f \cdot df` per sample, with :math:`df = f(x + d) - f(x - d)` halved:
    two evaluations of f, exact for a linear f (and to second order otherwise)."""
    df = 0.5 * (f(x + d) - f(x - d))
    return np.sum(grad_f * df, axis=-1)


def batch_loss(config: Config, p: Array, t: Array) -> tuple[float, Array]:
    r"""The mixed loss of the predictions p against the targets t (B,), and :math:`\partial L/\partial p`."""
    w = config.cos_weight
    value, dL_dp = 0.0, np.zeros_like(p)
    if w < 1.0:
        value += (1 - w) * float(np.mean((p - t) ** 2))
        dL_dp += (1 - w) * 2.0 * (p - t) / p.size
    if w > 0.0:
        with np.errstate(invalid="ignore", divide="ignore"):
            value += w * float(ONE_MINUS_COS.value(p[None, :], t[None, :])[0])
            dL_dp += w * np.nan_to_num(ONE_MINUS_COS.dL_dx(p[None, :], t[None, :])[0])
    return value, dL_dp


@dataclass
class Run:
    config: Config
    theta: Array  # the true J, (dim_o, dim_i)
    J_hat: Array
    opt: nn.SGD | nn.Adam
    rng: np.random.Generator
    held_out: tuple  # (grad_f, d, t): fixed samples, directions in every coordinate, for the held-out loss
    history: dict = field(default_factory=lambda: {"step": [], "loss": [], "held_out_loss": [], "rel_error": [],
                                                   "cosine": [], "signs": []})
    done: int = 0

    @property
    def finished(self) -> bool:
        return self.done >= self.config.steps

    def f(self, x: Array) -> Array:
        return x @ self.theta.T


def start(config: Config) -> Run:
    """θ ~ N(0, 1/d_i), so that |θd| is about |d|; the initial Ĵ is drawn alike, times initial_messup."""
    rng = np.random.default_rng(config.seed)
    shape = (config.dim_o, config.dim_i)
    theta = rng.normal(0.0, 1.0 / math.sqrt(config.dim_i), shape)
    J_hat = config.initial_messup * rng.normal(0.0, 1.0 / math.sqrt(config.dim_i), shape)
    opt = nn.SGD(config.lr) if config.optimizer == "sgd" else nn.Adam(config.lr / math.sqrt(config.dim_i))
    held = np.random.default_rng([config.seed, 1])
    grad_f, x, d = (held.normal(size=(HELD_OUT, n)) for n in (config.dim_o, config.dim_i, config.dim_i))
    run = Run(config, theta, J_hat, opt, rng, (grad_f, d, directional_targets(lambda v: v @ theta.T, x, d, grad_f)))
    record(run, loss=float("nan"))
    return run


def sample(run: Run) -> tuple[Array, Array, Array]:
    """One mini-batch: inputs x, directions d in a random coordinate subspace, output gradients."""
    c, rng = run.config, run.rng
    x = rng.normal(size=(c.batch, c.dim_i))
    d = np.zeros((c.batch, c.dim_i))
    coords = rng.choice(c.dim_i, size=c.dim_sample, replace=False)
    d[:, coords] = rng.normal(size=(c.batch, c.dim_sample))
    grad_f = rng.normal(size=(c.batch, c.dim_o))
    return x, d, grad_f


def train_step(run: Run) -> float:
    r"""One step of the optimiser on Ĵ: :math:`\partial L/\partial \hat J = \sum_k \partial L/\partial p_k\, \nabla_{f,k} d_k^\top`."""
    x, d, grad_f = sample(run)
    t = directional_targets(run.f, x, d, grad_f)
    p = np.sum((grad_f @ run.J_hat) * d, axis=1)
    loss, dL_dp = batch_loss(run.config, p, t)
    dL_dJ = (grad_f * dL_dp[:, None]).T @ d
    run.opt.update([run.J_hat], [dL_dJ])
    return loss


def errors(J_hat: Array, J: Array) -> dict[str, float]:
    """How far Ĵ is from J: relative error, cosine, and the share of entries with the right sign."""
    return {"rel_error": float(np.linalg.norm(J_hat - J) / np.linalg.norm(J)),
            "cosine": float(cosine(J_hat[None], J[None])[0]),
            "signs": float(np.mean(np.sign(J_hat) == np.sign(J)))}


def held_out_loss(run: Run) -> float:
    """The loss on the fixed held-out samples: unlike a mini-batch's, it is comparable from step to step."""
    grad_f, d, t = run.held_out
    return batch_loss(run.config, np.sum((grad_f @ run.J_hat) * d, axis=1), t)[0]


def record(run: Run, loss: float) -> None:
    h = run.history
    h["step"].append(run.done)
    h["loss"].append(loss)
    h["held_out_loss"].append(held_out_loss(run))
    for k, v in errors(run.J_hat, run.theta).items():
        h[k].append(v)


def record_every(config: Config) -> int:
    """Steps between two records: about 200 points per curve."""
    return max(1, config.steps // 200)


def step(run: Run, n_steps: int) -> Run:
    """``n_steps`` more steps (never past the budget); a record every :func:`record_every` steps,
    with the mean loss of the steps since the last one."""
    every = record_every(run.config)
    stop = min(run.config.steps, run.done + n_steps)
    pending = []
    while run.done < stop:
        pending.append(train_step(run))
        run.done += 1
        if run.done % every == 0 or run.done == run.config.steps:
            record(run, float(np.mean(pending)))
            pending = []
    return run


def train(config: Config) -> Run:
    return step(start(config), config.steps)


# The forward-gradient baseline (Baydin et al. 2022) ------------------------------

FORWARD_CHUNK = 512


def forward_gradient(J: Array, grad_f: Array, samples: int, rng: np.random.Generator) -> Array:
    r"""The forward-gradient estimate of :math:`\nabla_x = J^\top \nabla_f` for each query row of
    ``grad_f`` (Q, d_o): the mean over ``samples`` directions :math:`v \sim N(0, I)` of
    :math:`(\nabla_f \cdot J v)\, v`. Unbiased; one sample has
    :math:`E|\hat g|^2 = (n + 2)|\nabla_x|^2` with :math:`n = d_i`."""
    total = np.zeros((grad_f.shape[0], J.shape[1]))
    for start in range(0, samples, FORWARD_CHUNK):  # in chunks: a budget can be 10^5 samples per query
        v = rng.normal(size=(grad_f.shape[0], min(FORWARD_CHUNK, samples - start), J.shape[1]))
        directional = np.einsum("qo,oi,qsi->qs", grad_f, J, v)  # grad_f . (J v): one forward difference each
        total += np.einsum("qs,qsi->qi", directional, v)
    return total / samples


def gradient_quality(estimate: Array, true: Array) -> dict[str, float]:
    """Median over queries of the cosine with the true gradient, and the relative error of all of them."""
    return {"cosine": float(np.median(cosine(estimate, true))),
            "rel_error": float(np.linalg.norm(estimate - true) / np.linalg.norm(true))}


class ForwardCurve:
    r"""The forward gradient's quality at each total budget of directional samples, two ways:
    ``single``, the whole budget spent on one query; ``shared``, the budget shared by
    ``queries`` queries, as a learned :math:`\hat J` shares its samples with every query it answers.
    Each is the median over ``queries`` held-out :math:`\nabla_f`.

    One running sum of single-sample estimates serves every sample count, and it is extended
    only as far as asked (:meth:`advance_to`), so a live figure spreads the work over its frames."""

    def __init__(self, J: Array, budgets: list[int], queries: int = 16, seed: int = 1):
        self.J, self.queries = J, queries
        self.rng = np.random.default_rng(seed)
        self.grad_f = self.rng.normal(size=(queries, J.shape[0]))
        self.true = self.grad_f @ J
        self.wanted = sorted({max(1, b) for b in budgets} | {max(1, b // queries) for b in budgets})
        self.total, self.used, self.at = np.zeros_like(self.true), 0, {}

    def advance_to(self, budget: int) -> None:
        """Measure every wanted count up to ``budget`` samples."""
        while self.wanted and self.wanted[0] <= max(1, budget):
            count = self.wanted.pop(0)
            while self.used < count:
                chunk = min(FORWARD_CHUNK, count - self.used)
                v = self.rng.normal(size=(self.queries, chunk, self.J.shape[1]))
                self.total += np.einsum("qs,qsi->qi", np.einsum("qo,oi,qsi->qs", self.grad_f, self.J, v), v)
                self.used += chunk
            self.at[count] = gradient_quality(self.total / count, self.true)

    def single(self, budget: int) -> dict:
        return self.at[max(1, budget)]

    def shared(self, budget: int) -> dict:
        return self.at[max(1, budget // self.queries)]


def forward_gradient_curve(J: Array, budgets: list[int], queries: int = 16, seed: int = 1) -> dict[str, list]:
    """:class:`ForwardCurve` at every budget at once."""
    curve = ForwardCurve(J, budgets, queries, seed)
    curve.advance_to(max(budgets))
    return {"single": [curve.single(b) for b in budgets], "shared": [curve.shared(b) for b in budgets]}


def rising_loss_better_signs(run: Run, window: int = 10) -> dict:
    """The strongest stretch of the run where the held-out loss rose while the share of right signs grew:
    over ``window`` consecutive records (means over half-windows at each end, so one noisy record
    does not count). ``found`` is false when no stretch had both."""
    h = run.history
    loss, signs = np.array(h["held_out_loss"]), np.array(h["signs"])
    half = max(1, window // 2)
    best = {"found": False, "loss_ratio": 1.0, "signs_gain": 0.0, "from_step": None, "to_step": None}
    for i in range(len(loss) - window + 1):
        a, b = slice(i, i + half), slice(i + window - half, i + window)
        ratio = float(np.mean(loss[b]) / np.mean(loss[a]))
        gain = float(np.mean(signs[b]) - np.mean(signs[a]))
        if ratio > 1.0 and gain > 0.0 and ratio * (1 + gain) > best["loss_ratio"] * (1 + best["signs_gain"]):
            best = {"found": True, "loss_ratio": ratio, "signs_gain": gain,
                    "from_step": h["step"][i], "to_step": h["step"][i + window - 1]}
    return best


# At the same proportion dim_sample / dim, across sizes -----------------------------

SIZES = (4, 8, 16, 32)


def size_config(config: Config, dim: int, proportion: float, seed: int) -> Config:
    """``config`` at a square size ``dim``, sampling the share ``proportion`` of the input coordinates."""
    fields = {**config.__dict__, "dim_i": dim, "dim_o": dim, "seed": seed,
              "dim_sample": max(1, round(proportion * dim))}
    return Config(**fields)


@dataclass
class SizeSweep:
    """Runs at every size of ``sizes``, one size at a time, all seeds of a size side by side:
    steppable, so a page can measure it a few steps per frame."""

    config: Config
    proportion: float
    seeds: list[int]
    sizes: tuple[int, ...]
    runs: list[Run] = field(default_factory=list)  # the size in progress, one run per seed
    result: dict = field(default_factory=lambda: {"sizes": [], "learned": [], "single": [], "shared": []})

    @property
    def done(self) -> int:
        """Sizes measured."""
        return len(self.result["sizes"])

    @property
    def finished(self) -> bool:
        return self.done == len(self.sizes)


def start_size_sweep(config: Config, proportion: float, seeds: list[int], sizes: tuple[int, ...] = SIZES) -> SizeSweep:
    sweep = SizeSweep(config, proportion, seeds, sizes)
    sweep.runs = [start(size_config(config, sizes[0], proportion, seed)) for seed in seeds]
    return sweep


def step_size_sweep(sweep: SizeSweep, n_steps: int) -> SizeSweep:
    """``n_steps`` more steps of every run of the size in progress; a finished size is measured
    against the forward gradient at the same budget (for the first seed's J), and the next begins."""
    if sweep.finished:
        return sweep
    for run in sweep.runs:
        step(run, n_steps)
    if all(run.finished for run in sweep.runs):
        first = sweep.runs[0]
        curve = forward_gradient_curve(first.theta, [first.done * first.config.batch])
        r = sweep.result
        r["sizes"].append(sweep.sizes[sweep.done])
        r["learned"].append([run.history["rel_error"][-1] for run in sweep.runs])
        r["single"].append(curve["single"][0]["rel_error"])
        r["shared"].append(curve["shared"][0]["rel_error"])
        sweep.runs = [] if sweep.finished else [
            start(size_config(sweep.config, sweep.sizes[sweep.done], sweep.proportion, seed)) for seed in sweep.seeds]
    return sweep


def size_sweep(config: Config, proportion: float, seeds: list[int], sizes: tuple[int, ...] = SIZES) -> dict:
    """Per size: the final relative error of Ĵ for each seed, and the forward gradient's at the same
    budget (whole budget on one query; shared by 16 queries), for the first seed's J."""
    sweep = start_size_sweep(config, proportion, seeds, sizes)
    while not sweep.finished:
        step_size_sweep(sweep, sweep.runs[0].config.steps)
    return sweep.result


def record_budgets(run: Run) -> list[int]:
    """The directional samples used at each record of the run."""
    return [max(1, s * run.config.batch) for s in run.history["step"]]


def crossover(run: Run) -> dict:
    """Where the learned Ĵ overtakes the forward gradient that spends the same budget on one query:
    the first record (in epochs) from which Ĵ keeps the lower relative error, or None. (For random
    ∇f, the relative error of Ĵ^T ∇f is that of Ĵ, |Ĵ - J| / |J|, in expectation.)"""
    budgets = record_budgets(run)
    forward = [q["rel_error"] for q in forward_gradient_curve(run.theta, budgets)["single"]]
    learned = run.history["rel_error"]
    ahead = [lrn < fwd for lrn, fwd in zip(learned, forward)]
    first = next((i for i in range(len(ahead)) if all(ahead[i:])), None)
    epochs = None if first is None else budgets[first] / run.config.samples_per_epoch
    return {"epochs": epochs, "forward_at_end": forward[-1], "learned_at_end": learned[-1]}


# The least-squares baseline ---------------------------------------------------------
# For a linear f every directional sample is one exact linear equation in the entries
# of Ĵ, so the fair baseline is not another estimator but the direct solve.


def least_squares_jacobian(grad_f: Array, d: Array, t: Array) -> Array:
    r"""The :math:`\hat J` (d_o, d_i) that best fits N directional samples in the least-squares sense:
    each sample says :math:`\nabla_{f,k}^\top \hat J\, d_k = t_k`, one linear equation in the entries
    of :math:`\hat J` with coefficients :math:`\nabla_{f,k} d_k^\top`. Where the samples leave entries
    undetermined (columns no direction touched), the minimum-norm solution sets them to 0."""
    grad_f, d, t = np.asarray(grad_f, float), np.asarray(d, float), np.asarray(t, float)
    if grad_f.ndim != 2 or d.ndim != 2 or t.ndim != 1:
        raise ValueError(f"expected grad_f (N, d_o), d (N, d_i) and t (N,), got shapes "
                         f"{grad_f.shape}, {d.shape} and {t.shape}")
    if not len(grad_f) == len(d) == len(t) or len(t) == 0:
        raise ValueError(f"grad_f, d and t must hold the same number N >= 1 of samples, got "
                         f"{len(grad_f)}, {len(d)} and {len(t)}")
    rows = np.einsum("no,ni->noi", grad_f, d).reshape(len(t), -1)  # vec(∇f d^T), row by row
    solution = np.linalg.lstsq(rows, t, rcond=None)[0]
    return solution.reshape(grad_f.shape[1], d.shape[1])


def training_samples(config: Config, steps: int) -> tuple[Array, Array, Array]:
    """The directional samples (∇f, d, t) of the first ``steps`` mini-batches of :func:`train` at
    ``config``, drawn from the same stream in the same order as the training draws them."""
    run = start(config)
    batches = [sample(run) for _ in range(steps)]
    x, d, grad_f = (np.concatenate(parts) for parts in zip(*batches))
    return grad_f, d, directional_targets(run.f, x, d, grad_f)


def least_squares_baseline(config: Config, epochs: float = 1.0) -> dict:
    """The least-squares Ĵ from the samples of the first ``epochs`` epochs of training at ``config``:
    its errors against J, and how many of the d_i columns of J those samples touched."""
    steps = max(1, math.ceil(epochs * config.samples_per_epoch / config.batch))
    grad_f, d, t = training_samples(config, steps)
    J = start(config).theta
    return errors(least_squares_jacobian(grad_f, d, t), J) | {
        "samples": len(t), "columns_seen": int(np.count_nonzero(np.any(d != 0, axis=0)))}


def epochs_to_cover(config: Config) -> float | None:
    """The epochs of training at ``config`` after which its samples have touched every column of J:
    from then on the least-squares Ĵ is exact (to rounding). None if the run ends first."""
    run, seen = start(config), np.zeros(config.dim_i, bool)
    for step_number in range(1, config.steps + 1):
        seen |= np.any(sample(run)[1] != 0, axis=0)
        if seen.all():
            return step_number * config.batch / config.samples_per_epoch
    return None
