r"""The numbers the destroy-the-Jacobian chapter quotes, each measured here.

Every function trains with fixed seeds and returns plain floats, so the text,
``scripts/chapter_numbers.py destroy`` and the tests (``tests/test_destroy_claims.py``)
read the same measurement.
"""

import numpy as np

from . import destroy
from .destroy import Distortion, Setup
from .distortion import cosine, distort

SEEDS = [1, 2, 3, 4, 5, 6]
SETUP = Setup()  # 2 hidden layers of 16 GELU units, Adam at 0.01, 400 steps, 10 % of labels flipped
DEEP = Setup(depth=4)


def median_accuracy(setup: Setup, distortion: Distortion, seeds: list[int] = SEEDS) -> dict:
    """Over the seeds: the median and the minimum test accuracy, the failures (no better than the
    best straight cut, :func:`jacobiator.destroy.best_cut_accuracy`) and the median training accuracy."""
    run = destroy.step(destroy.start(setup, [distortion] * len(seeds), seeds), setup.steps)
    measured = destroy.evaluate(run)
    acc = measured["test_accuracy"]
    return {"median": float(np.median(acc)), "min": float(np.min(acc)),
            "failed": int(np.sum(acc <= destroy.best_cut_accuracy())),
            "train": float(np.median(measured["train_accuracy"]))}


def sign_only(setup: Setup = SETUP) -> dict:
    r"""Exact backprop against keeping only the signs of :math:`\nabla_\theta` or of :math:`\nabla_x` (β = 0)."""
    return {"exact": median_accuracy(setup, destroy.EXACT),
            "grad_sign": median_accuracy(setup, Distortion(grad_beta=0.0)),
            "x_sign": median_accuracy(setup, Distortion(x_beta=0.0))}


def flips(p: float = 0.45, setup: Setup = SETUP) -> dict:
    r"""Random sign flips with probability p of :math:`\nabla_x`, of :math:`\nabla_\theta`, of both; and p = 0.5."""
    return {"x": median_accuracy(setup, Distortion(x_flip=p)),
            "grad": median_accuracy(setup, Distortion(grad_flip=p)),
            "both": median_accuracy(setup, Distortion(x_flip=p, grad_flip=p)),
            "both_noise": median_accuracy(setup, Distortion(x_flip=0.5, grad_flip=0.5))}


def depth_instability(depths: tuple[int, ...] = (1, 8), setup: Setup = SETUP) -> dict:
    """Per depth, with the exact gradient: the median test accuracy, its spread over the seeds,
    and the median worst setback of the training loss (:func:`jacobiator.training.relapse`)."""
    out = {}
    for depth in depths:
        s = Setup(**{**setup.__dict__, "depth": depth})
        run = destroy.start(s, [destroy.EXACT] * len(SEEDS), SEEDS)
        destroy.step(run, s.steps)
        acc = destroy.test_accuracy(run)
        setback = destroy.training.relapse(run.losses, int(destroy.training.BURN_IN_SHARE * s.steps))
        out[depth] = {"median": float(np.median(acc)), "spread": float(np.ptp(acc)),
                      "setback": float(np.median(setback)), "worst_setback": float(np.max(setback))}
    return out


def clean_rule_train_accuracy(setup: Setup = SETUP) -> float:
    """The training accuracy of the true XOR rule on the training labels: one minus the share of
    labels flipped. A network above it has memorised flipped labels."""
    data = destroy.training.make_data(setup.config)
    return float(np.mean(destroy.training.xor_labels(data.x) == data.t))


def overfitting(setup: Setup = Setup(depth=3), seed: int = 1, every: int = 10) -> dict:
    """The live figure's default run (3 hidden layers, seed 1): the step with the lowest test loss
    (measured every 10 steps) and the training loss there and at the end."""
    run = destroy.start(setup, [destroy.EXACT], [seed])
    test_loss, train_loss = [], []
    for _ in range(setup.steps // every):
        destroy.step(run, every)
        measured = destroy.evaluate(run)
        test_loss.append(float(measured["test_loss"][0]))
        train_loss.append(float(measured["train_loss"][0]))
    best = int(np.argmin(test_loss))
    return {"best_step": (best + 1) * every, "train_loss_at_best": train_loss[best], "train_loss_end": train_loss[-1],
            "test_loss_best": test_loss[best], "test_loss_end": test_loss[-1]}


# Against the literature ----------------------------------------------------------


def flip_expectation(p: float = 0.45, draws: int = 2000, size: int = 1000, seed: int = 0) -> dict:
    r"""On a fixed random vector g: the cosine of one flipped copy with g (its expectation is
    :math:`1 - 2p`), and the mean of ``draws`` flipped copies divided by g (about :math:`1 - 2p`)."""
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(1, size))
    flipped = np.stack([distort(g, [p], [1.0], rng)[0] for _ in range(draws)])
    one = cosine(flipped, np.repeat(g, draws, axis=0))
    return {"cosine_median": float(np.median(one)), "scale": float(np.sum(flipped.mean(axis=0) * g[0]) / np.sum(g * g))}


def update_alignment(distortion: Distortion, hidden_only: bool = False, setup: Setup = SETUP) -> dict:
    """The cosine between the distorted update and the true gradient during training: median over
    the seeds of the first 10 steps and of the last quarter of training, and its angle in degrees."""
    cos = destroy.alignment(setup, distortion, SEEDS, hidden_only)
    early = float(np.median(cos[:10]))
    late = float(np.median(cos[-setup.steps // 4:]))
    return {"early": early, "late": late, "late_degrees": float(np.degrees(np.arccos(late))),
            "early_degrees": float(np.degrees(np.arccos(early))),
            "below_90": float(np.mean(cos[-setup.steps // 4:] > 0))}


def literature() -> dict:
    """One measured number per published result the chapter ties to."""
    return {
        "flip_expectation": flip_expectation(),
        "grad_flip_alignment": update_alignment(Distortion(grad_flip=0.45)),
        "sign_sgd_alignment": update_alignment(Distortion(grad_beta=0.0)),
        "feedback_alignment": update_alignment(Distortion(feedback=True), hidden_only=True),
        "feedback_accuracy": median_accuracy(SETUP, Distortion(feedback=True)),
        "sign_concordant_alignment": update_alignment(Distortion(theta_beta=0.0), hidden_only=True),
        "sign_concordant_accuracy": median_accuracy(SETUP, Distortion(theta_beta=0.0)),
    }


def all_numbers() -> dict:
    return {"best_cut": destroy.best_cut_accuracy(), "clean_rule_train": clean_rule_train_accuracy(), "sign_only": sign_only(), "sign_only_deep": sign_only(DEEP),
            "flips": flips(), "flips_deep": flips(setup=DEEP), "depth": depth_instability(),
            "overfitting": overfitting(), "literature": literature()}


def sweep_means(key: str) -> dict:
    """The chapter's sweep figure at its defaults (4 hidden layers, 300 steps, seeds 1 to 4):
    per curve, the mean final test accuracy at each value of the sweep."""
    sr = destroy.sweep(key, Setup(depth=4, steps=300), [1, 2, 3, 4])
    return {curve.key: dict(zip(sr.sweep.values, map(float, sr.accuracy[c].mean(axis=1))))
            for c, curve in enumerate(sr.sweep.curves)}
