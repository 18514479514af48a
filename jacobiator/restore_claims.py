"""The numbers the restore-the-Jacobian chapter quotes, each measured here.

``scripts/chapter_numbers.py restore`` prints them; ``tests/test_restore_claims.py``
asserts them with stated margins.
"""

import itertools

import numpy as np

from . import learned_gradient as lg
from . import restore
from .restore import Config

PART1 = Config()  # 8 x 8, dim_sample 2, 50 epochs, gradient descent at 0.2, MSE
SEEDS = [1, 2, 3]


def default_run() -> dict:
    """Part 1 at its defaults: where Ĵ ends, and where it overtakes the forward gradient."""
    run = restore.train(PART1)
    return restore.errors(run.J_hat, run.theta) | {"crossover": restore.crossover(run)}


def crossovers(sizes=(4, 8, 32)) -> dict:
    """The epoch from which Ĵ beats the forward gradient spending the whole budget on one query, per size."""
    out = {}
    for dim in sizes:
        run = restore.train(restore.size_config(PART1, dim, 0.25, seed=0))
        out[dim] = restore.crossover(run)["epochs"]
    return out


def sizes(proportion: float = 0.25, epochs: float = 20.0) -> dict:
    """The size sweep of the chapter's figure: median final relative error per size, and the forward gradient's."""
    sweep = restore.size_sweep(Config(epochs=epochs), proportion, SEEDS)
    return {"sizes": sweep["sizes"], "learned": [float(np.median(v)) for v in sweep["learned"]],
            "single": sweep["single"], "shared": sweep["shared"]}


def cosine_scale(messup: float = 5.0) -> dict:
    """|Ĵ| / |J| at the end, for the pure cosine loss, the pure MSE and an even mix, from initial_messup = 5."""
    out = {}
    for name, w in (("cosine", 1.0), ("mse", 0.0), ("mix", 0.5)):
        run = restore.train(Config(initial_messup=messup, cos_weight=w))
        out[name] = {"scale": float(np.linalg.norm(run.J_hat) / np.linalg.norm(run.theta))} | \
            restore.errors(run.J_hat, run.theta)
    return out


def forward_variance(n: int = 8, draws: int = 20000, seed: int = 0) -> float:
    """E|ĝ|² / |∇x|² of one forward-gradient sample, measured (theory: n + 2)."""
    rng = np.random.default_rng(seed)
    J = rng.normal(size=(8, n))
    grad_f = rng.normal(size=(1, 8))
    est = np.stack([restore.forward_gradient(J, grad_f, 1, rng)[0] for _ in range(draws)])
    return float(np.mean(np.sum(est**2, axis=1)) / np.sum((grad_f @ J) ** 2))


SEARCH = {"cos_weight": (0.0, 0.5, 0.9, 1.0), "initial_messup": (1.0, 5.0, 20.0), "optimizer": ("sgd", "adam"),
          "lr": (0.1, 0.3), "size": ((8, 2), (32, 8))}


def rising_loss_search(min_ratio: float = 1.05, min_gain: float = 0.02) -> dict:
    """Every setting of SEARCH (96): the runs in which the held-out loss rose by at least 5 % over
    10 records while the share of right signs grew by at least 2 points."""
    found = []
    for w, messup, opt, lr, (dim, ds) in itertools.product(*SEARCH.values()):
        config = Config(dim_i=dim, dim_o=dim, dim_sample=ds, cos_weight=w, initial_messup=messup, optimizer=opt, lr=lr)
        run = restore.train(config)
        stretch = restore.rising_loss_better_signs(run)
        if stretch["found"] and stretch["loss_ratio"] >= min_ratio and stretch["signs_gain"] >= min_gain:
            found.append({"config": config.__dict__, "final_signs": run.history["signs"][-1]} | stretch)
    return {"settings": int(np.prod([len(v) for v in SEARCH.values()])), "found": found}


# Part 2 ------------------------------------------------------------------------------

PART2 = lg.Config()  # 2 x 2, 60 000 samples each


def race(config: lg.Config = PART2) -> dict:
    r = lg.train(config)
    return {key: {name: r.history[key][name][-1] for name in ("cosine", "rel_error")} for key in lg.MODELS}


def race_seeds(config: lg.Config = PART2, seeds=(0, 1, 2)) -> dict:
    """The race at several seeds: per model the final relative errors."""
    out = {key: [] for key in lg.MODELS}
    for seed in seeds:
        for key, q in race(lg.Config(**{**config.__dict__, "seed": seed})).items():
            out[key].append(q["rel_error"])
    return out


def dims(samples: int = 60_000, batch: int = 50) -> dict:
    """Both models' final errors for A of size 1×1 to 4×4 (``batch``: the mini-batch, in samples)."""
    return lg.across_dims(lg.Config(samples=samples, batch=batch))


def fit(config: lg.Config = PART2) -> dict:
    """The final loss of the linear fit with each learned gradient and with the true one (100 steps at 0.1)."""
    r = lg.train(config)
    curves = {key: lg.fit_linear(lg.as_gradient(r.models[key]), config, steps=100) for key in lg.MODELS}
    curves["true"] = lg.fit_linear(lg.true_gradient, config, steps=100)
    return {key: {"start": v[0], "end": v[-1]} for key, v in curves.items()}


def all_numbers() -> dict:
    return {"default": default_run(), "crossovers": crossovers(), "sizes": sizes(), "cosine_scale": cosine_scale(),
            "forward_variance": forward_variance(), "rising_loss": rising_loss_search(),
            "race": race_seeds(), "dims": dims(), "dims_batch_64": dims(batch=64), "fit": fit()}
