r"""The activation chapter (docs/activations.md): what an activation lets a network express,
and what its derivative does to training.

Two kinds of numbers. The constructions (XOR, hinges, linear regions, the derivative
table, MSE against cross-entropy, the polynomial approximations) are deterministic:
measured once, quoted as they are. The training comparisons are chaotic (a deep plain
net, or a net that memorises flipped labels, goes elsewhere when one rounding
changes), so every one of them is a statistic over many seeds trained as one batch:
the median with its bootstrap 90 % interval, and shares of seeds.
"""

import numpy as np

from jacobiator import activation_costs, lecture, nn, training
from jacobiator import polyapprox as pa
from jacobiator.activations import normal_cdf
from jacobiator.datasets import best_cut_accuracy, xor_labels
from jacobiator.figures import activation_gallery as gallery
from jacobiator.figures import poly_approx
from jacobiator.figures import sculpt
from jacobiator.training import Config

from . import Claim
from .stats import share, spread

SEEDS = 16  # per activation in the comparison tables (Config: seeds 1 to 16)
DEPTH_SEEDS = 32  # the depth comparison is the most chaotic
NEURON_SEEDS = 16
PREACTIVATION_SEEDS = list(range(16))
SCULPT_SEEDS = list(range(16))
SCULPT_ACTIVATIONS = ("square", "relu", "tanh", "gelu", "sin")
OSCILLATING = ("sin", "zcosz")
CLASSIC = ("relu", "leaky_relu", "elu", "softplus", "sigmoid", "tanh", "gelu", "gelu_tanh", "silu")
BEHIND = ("square", "sigmoid", "softplus")  # on the surface
MONOTONE_NEURONS = ("relu", "tanh", "sigmoid")
DIPPED_NEURONS = ("sin", "square", "gelu", "silu")
SETBACK = 2.0  # a loss that climbs back to twice its best value has had a real setback


def quartile_ratio(values) -> float:
    """The upper over the lower quartile: how far apart the seeds end, without the extremes."""
    lo, hi = np.quantile(np.asarray(values, dtype=float), [0.25, 0.75])
    return float(hi / lo)


def summary(s: training.Summary) -> dict:
    """One activation's seeds: test metric, final training loss, failures and setbacks."""
    return {"test": spread(s.metric), "loss": spread(s.final_loss), "failed": share(s.failed),
            "loss_quartile_ratio": quartile_ratio(s.final_loss), "setback": spread(s.relapse),
            "setback_over_2": share(s.relapse > SETBACK)}


def ranked(summaries: dict, lower_is_better: bool) -> list[str]:
    sign = 1.0 if lower_is_better else -1.0
    return sorted(summaries, key=lambda k: sign * summaries[k]["test"]["median"])


def xor_table() -> dict:
    """All activations on noisy XOR: 2 x 16 hidden units, 300 full-batch Adam steps at 0.01."""
    config = Config(activations=training.ALL_ACTIVATIONS, seeds=SEEDS)
    by = {k: summary(s) for k, s in training.compare(config).items()}
    others = [k for k in by if k not in OSCILLATING]
    data = training.make_data(config)
    return {"by": by, "ranking": ranked(by, lower_is_better=False),
            "flipped": share(data.t != xor_labels(data.x)),
            "classic_lo": min(by[k]["test"]["median"] for k in CLASSIC),
            "classic_hi": max(by[k]["test"]["median"] for k in CLASSIC),
            # how many times lower the oscillating ones' median training loss is than the lowest other's
            "oscillating_loss_factor": min(by[k]["loss"]["median"] for k in others)
            / max(by[k]["loss"]["median"] for k in OSCILLATING),
            "failed_runs": float(np.mean([s["failed"] for s in by.values()]))}


def surface_table() -> dict:
    """All activations on the bumpy surface, same network and budget."""
    config = Config(dataset=training.SURFACE, activations=training.ALL_ACTIVATIONS, seeds=SEEDS)
    by = {k: summary(s) for k, s in training.compare(config).items()}
    order = ranked(by, lower_is_better=True)
    best = by[order[0]]["test"]["median"]
    over_best = {k: by[k]["test"]["median"] / best for k in order}
    return {"by": by, "ranking": order, "best": order[0], "best_test": best, "over_best": over_best,
            "top_four_within": over_best[order[3]],
            "rest_within": max(v for k, v in over_best.items() if k not in BEHIND),
            "behind_at_least": min(over_best[k] for k in BEHIND)}


def depth_table() -> dict:
    """ReLU, tanh, sigmoid and GELU at 1 and 8 hidden layers of 16 units, same budget."""
    table = training.depth_instability(Config(activations=training.DEEP_ACTIVATIONS, seeds=DEPTH_SEEDS),
                                       depths=(1, 8))
    return {k: {str(depth): summary(s) for depth, s in by_depth.items()} for k, by_depth in table.items()}


# One neuron on XOR ------------------------------------------------------------


def single_neuron() -> dict:
    out = nn.predict(training.zcosz_xor_neuron(), training.XOR_POINTS)
    trained = training.neuron_accuracies("zcosz", steps=200, lr=0.1, seeds=NEURON_SEEDS)
    return {"constructed_margin": float(np.abs(out).min()),
            "constructed_right": share((out > 0) == (training.XOR_TARGETS > 0.5)),
            "trained_seeds": NEURON_SEEDS, "trained_all_right": share(trained == 1.0),
            "random_samples": 20000,
            "best_random": {k: training.best_random_neuron_accuracy(k) for k in MONOTONE_NEURONS + DIPPED_NEURONS}}


# The constructions --------------------------------------------------------------


def xor_linear() -> dict:
    w, b = lecture.least_squares_linear(lecture.XOR_X, lecture.XOR_Y)
    net_out = lecture.NOTE_XOR_NET(lecture.XOR_X)
    return {"w": [float(v) for v in w], "b": float(b), "mse": lecture.linear_mse(w, b, lecture.XOR_X, lecture.XOR_Y),
            "relu_net_error": float(np.max(np.abs(np.ravel(net_out) - lecture.XOR_Y)))}


def hinges() -> dict:
    knots = np.array(lecture.NOTE_KNOTS)
    values = lecture.note_target(knots)
    offset, slopes = lecture.interpolating_hinges(knots, values)
    x = np.linspace(*lecture.HINGE_DOMAIN, 801)
    _, fitted = lecture.least_squares_hinges(x, lecture.note_target(x), knots)
    return {"construction_error": float(np.max(np.abs(slopes - lecture.NOTE_SLOPE_CHANGES))),
            "least_squares_error": float(np.max(np.abs(fitted - lecture.NOTE_SLOPE_CHANGES)))}


def regions(seeds=range(10)) -> dict:
    """Random 2-20-1 and 2-10-10-1 ReLU nets (LeCun initialisation) on [-1, 1]^2: the regions a
    200 x 200 grid sees, and the shallow net's exact count in the square."""
    per_seed = []
    for seed in seeds:
        shallow = lecture.random_relu_net([2, 20, 1], seed)
        deep = lecture.random_relu_net([2, 10, 10, 1], seed)
        per_seed.append({"shallow": lecture.count_regions(shallow, 1.0, 200),
                         "shallow_exact": lecture.shallow_regions_in_square(shallow.weights[0], shallow.biases[0], 1.0),
                         "deep": lecture.count_regions(deep, 1.0, 200)})
    deep2 = lecture.random_relu_net([2, 10, 10, 1], 2)
    column = {k: np.array([s[k] for s in per_seed]) for k in per_seed[0]}
    return {"bound": lecture.plane_bound(20), "seeds": len(per_seed), "per_seed": per_seed,
            "deep_above_shallow_exact": int(np.sum(column["deep"] > column["shallow_exact"])),
            "deep_below_shallow_grid": int(np.sum(column["deep"] < column["shallow"])),
            "deep_median": float(np.median(column["deep"])),
            "shallow_exact_median": float(np.median(column["shallow_exact"])),
            "deep_range": [int(column["deep"].min()), int(column["deep"].max())],
            "shallow_exact_range": [int(column["shallow_exact"].min()), int(column["shallow_exact"].max())],
            "wide_deep_seed2": {"grid_200": lecture.count_regions(deep2, 2.0, 200),
                                "grid_1000": lecture.count_regions(deep2, 2.0, 1000)}}


def derivatives() -> dict:
    by_key = {r.key: r for r in gallery.rows()}
    relu = gallery.ACTIVATIONS["relu"]
    return {"sup": {k: r.sup for k, r in by_key.items()},
            "relu_zero_share": gallery.zero_share(relu), "relu_blurred_zero_share": gallery.zero_share(relu, 0.5),
            "blurred_zero_share_formula": float(normal_cdf(-0.25)),
            "cost_ns": {k: c["value"] for k, c in activation_costs.COST_NS.items()}}


def mse_vs_ce(z: float = -5.0) -> dict:
    mse = float(lecture.mse_on_sigmoid(z, 1.0)[1])
    ce = float(lecture.ce_on_sigmoid(z, 1.0)[1])
    grid = np.linspace(-20.0, 20.0, 400001)
    return {"z": z, "mse_grad": mse, "ce_grad": ce, "ratio": ce / mse,
            "mse_grad_max": float(np.abs(lecture.mse_on_sigmoid(grid, 1.0)[1]).max()), "bound": 8 / 27}


def polynomials() -> dict:
    departure = pa.taylor_departure("softplus", 9)
    radius = {k: pa.taylor_radius_evidence(k) for k in ("sigmoid", "tanh")}
    decay = pa.chebyshev_decay("sigmoid", 4.0)
    return {"taylor_departure": departure["abs"]["+"], "taylor_departure_left": departure["abs"]["-"],
            "inside_ratio": {k: r["inside_ratio"] for k, r in radius.items()},
            "outside_ratio": {k: r["outside_ratio"] for k, r in radius.items()},
            "chebyshev_9": pa.max_error(pa.chebyshev("softplus", 9, 4.0), "softplus", -4, 4),
            "taylor_9": pa.max_error(pa.taylor("softplus", 9), "softplus", -4, 4),
            "sigmoid_rate": decay["fitted"], "sigmoid_rate_predicted": decay["predicted"],
            "log_series_5": pa.log_series_accuracy(terms_list=(5,))["mirror"][0]}


# Trained networks: pre-activations, and the opening's surface -------------------

PREACTIVATION_CONFIGS = (("xor", "tanh"), ("xor", "relu"), ("xor", "softplus"), ("ripple", "tanh"),
                         ("ripple", "softplus"))


def preactivations(steps: int = 150, lr: float = 0.03) -> dict:
    """The histogram figure's 2-16-16-1 nets (150 Adam steps at 0.03), one per seed and configuration:
    the 99th percentile of |z| per hidden layer at initialisation and after training."""
    rows = {f"{task}_{act}": [] for task, act in PREACTIVATION_CONFIGS}
    for seed in PREACTIVATION_SEEDS:
        for r in poly_approx.preactivation_percentiles(PREACTIVATION_CONFIGS, steps, lr, seed):
            rows[f"{r['task']}_{r['activation']}"].append(r)
    out = {"seeds": len(PREACTIVATION_SEEDS),
           "before_max": max(max(r["p_before"]) for rs in rows.values() for r in rs),
           "trained_lower_loss": share([r["loss_after"] < r["loss_before"] for rs in rows.values() for r in rs])}
    for key, rs in rows.items():
        after = np.array([r["p_after"] for r in rs])  # (seeds, layers)
        out[key] = {"before": spread([max(r["p_before"]) for r in rs]), "after_layer_2": spread(after[:, 1]),
                    "after_max": spread(after.max(axis=1)), "after_max_below_4": share(after.max(axis=1) < 4.0),
                    "inside_after_layer_2": spread([r["inside_after"][1] for r in rs])}
    return out


def opening_surface() -> dict:
    """The opening figure at its defaults (bumps, 2 x 16, Adam at 0.02, 600 steps), per seed of the
    figure (its data and its initialisation) and activation: the final test MSE."""
    mse = {}
    for act in SCULPT_ACTIVATIONS:
        mse[act] = []
        for seed in SCULPT_SEEDS:
            run = sculpt.start(sculpt.SCHEMA.resolve({"activation": act, "seed": seed}))
            sculpt.train(run, run.params["steps"])
            mse[act].append(float(run.test_loss[-1][1]))
    square = np.array(mse["square"])
    others = np.array([mse[a] for a in SCULPT_ACTIVATIONS if a != "square"])
    return {"seeds": len(SCULPT_SEEDS), "test": {a: spread(v) for a, v in mse.items()},
            "square_worst": share(square > others.max(axis=0)),
            "square_over_others": float(np.median(square) / np.max(np.median(others, axis=1)))}


def measure() -> dict:
    return {"seeds": SEEDS, "depth_seeds": DEPTH_SEEDS, "best_cut": best_cut_accuracy(),
            "xor_linear": xor_linear(), "hinges": hinges(), "regions": regions(), "derivatives": derivatives(),
            "mse_vs_ce": mse_vs_ce(), "xor": xor_table(), "surface": surface_table(), "depth": depth_table(),
            "neuron": single_neuron(), "polynomials": polynomials(), "preactivations": preactivations(),
            "opening": opening_surface()}


CLAIMS: list[Claim] = []
