r"""The activation chapter (docs/activations.md): what an activation lets a network express,
and what its derivative does to training.

Two kinds of numbers. The constructions (XOR, hinges, linear regions, the derivative
table, MSE against cross-entropy, the polynomial approximations) are deterministic:
measured once, quoted as they are. The training comparisons are chaotic (a deep plain
net, or a net that memorises flipped labels, goes elsewhere when one rounding
changes), so every one of them is a statistic over many seeds trained as one batch:
the median with its bootstrap 90 % interval, and shares of seeds.
"""

from dataclasses import replace

import numpy as np

from jacobiator import lecture, nn, training, xor_neuron
from jacobiator import polyapprox as pa
from jacobiator.activations import ACTIVATIONS, normal_cdf
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
SURFACE = "bumps"  # the sculpting cloud the chapter compares on
RANDOM_NEURONS = 20_000  # random single neurons searched for the best one on the four XOR points
DEEP_ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu")
OSCILLATING = ("sin", "zcosz")
CLASSIC = ("relu", "leaky_relu", "elu", "softplus", "sigmoid", "tanh", "gelu", "gelu_tanh", "silu")
BEHIND = ("square", "sigmoid", "softplus")  # on the surface
MONOTONE_NEURONS = ("relu", "tanh", "sigmoid")
DIPPED_NEURONS = ("sin", "square", "gelu", "silu")
SETBACK = 2.0  # a loss that climbs back to twice its best value has had a real setback
# The tables compare the twelve activations the chapter introduces first; the rippled
# twins (registered after them) have their own comparison, complexity() below.
TABLE_ACTIVATIONS = ("relu", "leaky_relu", "softplus", "sigmoid", "tanh", "elu", "gelu", "gelu_tanh", "silu", "sin",
                     "square", "zcosz")
RIPPLED = {"relu": "relu_ripple", "gelu": "gelu_ripple", "tanh": "tanh_ripple"}  # simple -> its complex twin
COMPLEX_LRS = (0.003, 0.01, 0.03)  # each activation is quoted at its best of these Adam steps
COMPLEX_DATASETS = ("xor", SURFACE)
WIGGLE_RANGE = 4.0  # turning points are counted on [-4, 4], where pre-activations live at initialisation


DIVERGED = 1e9  # stands for a loss, test MSE or setback that is not finite: above any finite one here


def finite(values) -> np.ndarray:
    """A diverged seed (NaN or inf) as :data:`DIVERGED`, so medians and quartiles count it as the worst
    and the measurements stay plain JSON."""
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v), v, DIVERGED)


def quartile_ratio(values) -> float:
    """The upper over the lower quartile: how far apart the seeds end, without the extremes."""
    lo, hi = np.quantile(finite(values), [0.25, 0.75])
    return float(hi / lo)


def summary(s: training.Summary) -> dict:
    """One activation's seeds: test metric, final training loss, failures, setbacks (see
    :func:`jacobiator.training.relapse`) and the share of seeds that diverged."""
    return {"test": spread(finite(s.metric)), "loss": spread(finite(s.final_loss)), "failed": share(s.failed),
            "loss_quartile_ratio": quartile_ratio(s.final_loss), "setback": spread(finite(s.relapse)),
            "setback_over_2": share(finite(s.relapse) > SETBACK), "diverged": share(~np.isfinite(s.final_loss))}


def ranked(summaries: dict, lower_is_better: bool) -> list[str]:
    sign = 1.0 if lower_is_better else -1.0
    return sorted(summaries, key=lambda k: sign * summaries[k]["test"]["median"])


def xor_table() -> dict:
    """All activations on noisy XOR: 2 x 16 hidden units, 300 full-batch Adam steps at 0.01."""
    config = Config(activations=TABLE_ACTIVATIONS, seeds=SEEDS)
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
            "failed_runs": float(np.mean([s["failed"] for s in by.values()])),
            "worst_failed": max(s["failed"] for s in by.values())}  # the share of the activation failing most


def surface_table() -> dict:
    """All activations on the bumpy surface, same network and budget."""
    config = Config(dataset=SURFACE, activations=TABLE_ACTIVATIONS, seeds=SEEDS)
    by = {k: summary(s) for k, s in training.compare(config).items()}
    order = ranked(by, lower_is_better=True)
    best = by[order[0]]["test"]["median"]
    over_best = {k: by[k]["test"]["median"] / best for k in order}
    return {"by": by, "ranking": order, "best": order[0], "best_test": best, "over_best": over_best,
            "top_four_within": over_best[order[3]],
            "rest_within": max(v for k, v in over_best.items() if k not in BEHIND),
            "behind_at_least": min(over_best[k] for k in BEHIND)}


def depth_table(depths: tuple[int, ...] = (1, 8)) -> dict:
    """ReLU, tanh, sigmoid and GELU at 1 and 8 hidden layers of 16 units, same budget. A deeper plain
    net's loss curve relapses (:func:`jacobiator.training.relapse`), its seeds end further apart, and
    with sigmoid it barely learns."""
    config = Config(activations=DEEP_ACTIVATIONS, seeds=DEPTH_SEEDS)
    by_depth = {depth: training.compare(replace(config, depth=depth)) for depth in depths}
    return {k: {str(depth): summary(by_depth[depth][k]) for depth in depths} for k in DEEP_ACTIVATIONS}


# Too complex an activation? -------------------------------------------------------


def turning_points(key: str, half_width: float = WIGGLE_RANGE, points: int = 80_001) -> int:
    """How many times sigma' changes sign on [-half_width, half_width]: the turning points of
    sigma there, our count of how complex its shape is (tanh 0, GELU 1, a ripple dozens)."""
    g = ACTIVATIONS[key].grad(np.linspace(-half_width, half_width, points))
    signs = np.sign(g[g != 0.0])  # ReLU's flat half is no turning point
    return int(np.sum(signs[1:] != signs[:-1]))


def at_best_step(by_lr: dict, lower_is_better: bool) -> dict:
    """The step size whose median test metric is best, and that run's summary."""
    sign = 1.0 if lower_is_better else -1.0
    lr = min(by_lr, key=lambda k: sign * by_lr[k]["test"]["median"])
    return {"lr": float(lr), **by_lr[lr]}


def complexity() -> dict:
    """ReLU, GELU and tanh against the same functions plus a ripple sin(8x)/8, on noisy XOR and on
    the bumpy surface, each at three Adam step sizes (the chapter's network, budget and seeds)."""
    keys = tuple(k for pair in RIPPLED.items() for k in pair)
    out = {"seeds": SEEDS, "lrs": list(COMPLEX_LRS), "turning_points": {k: turning_points(k) for k in keys}}
    for dataset in COMPLEX_DATASETS:
        by_lr = {}  # lr as text: a JSON key
        for lr in COMPLEX_LRS:
            config = Config(dataset=dataset, activations=keys, seeds=SEEDS, lr=lr)
            by_lr[str(lr)] = {k: {"test": spread(finite(s.metric)), "loss": spread(finite(s.final_loss)),
                                  "failed": share(s.failed)} for k, s in training.compare(config).items()}
        lower = dataset != "xor"
        best = {k: at_best_step({lr: by_lr[lr][k] for lr in by_lr}, lower) for k in keys}
        # per step size and pair: the simple activation's median training loss over its twin's
        loss_ratio = [med(by_lr[lr][simple]["loss"]) / med(by_lr[lr][twin]["loss"])
                      for lr in by_lr for simple, twin in RIPPLED.items()]
        test_ratio = {simple: med(best[twin]["test"]) / med(best[simple]["test"]) for simple, twin in RIPPLED.items()}
        out[dataset] = {"by_lr": by_lr, "best": best, "loss_ratio_min": min(loss_ratio),
                        "loss_ratio_max": max(loss_ratio), "test_ratio": test_ratio,
                        "test_gap": {simple: med(best[simple]["test"]) - med(best[twin]["test"])
                                     for simple, twin in RIPPLED.items()}}
    return out


# One neuron on XOR ------------------------------------------------------------


def single_neuron() -> dict:
    out = nn.predict(xor_neuron.zcosz_xor_neuron(), xor_neuron.XOR_POINTS)
    trained = xor_neuron.neuron_accuracies("zcosz", steps=200, lr=0.1, seeds=NEURON_SEEDS)
    return {"constructed_margin": float(np.abs(out).min()),
            "constructed_right": share((out > 0) == (xor_neuron.XOR_TARGETS > 0.5)),
            "trained_seeds": NEURON_SEEDS, "trained_all_right": share(trained == 1.0),
            "random_samples": RANDOM_NEURONS,
            "best_random": {k: xor_neuron.best_random_neuron_accuracy(k, RANDOM_NEURONS)
                            for k in MONOTONE_NEURONS + DIPPED_NEURONS}}


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
            "cost_ns": {k: a.cost_ns[0] for k, a in ACTIVATIONS.items()}}


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
PREACTIVATION_KEYS = tuple(f"{task}_{act}" for task, act in PREACTIVATION_CONFIGS)


def preactivation_percentiles(task: str, activation: str, steps: int, lr: float, seed: int, q: float = 99.0,
                              R: float = 4.0) -> dict:
    r"""Per hidden layer: the ``q``-th percentile of :math:`|z|` and the share with :math:`|z| \le R`,
    at initialization and after training, and the loss before and after."""
    run = poly_approx.trained_preactivations(task, activation, steps, lr, seed)
    return {"p_before": [float(np.percentile(np.abs(z), q)) for z in run["before"]],
            "p_after": [float(np.percentile(np.abs(z), q)) for z in run["after"]],
            "inside_after": [poly_approx.share_inside(z, R) for z in run["after"]],
            "loss_before": run["loss_before"], "loss_after": run["loss_after"]}


def preactivations(steps: int = 150, lr: float = 0.03) -> dict:
    """The histogram figure's 2-16-16-1 nets (150 Adam steps at 0.03), one per seed and configuration:
    the 99th percentile of |z| per hidden layer at initialisation and after training."""
    rows = {key: [] for key in PREACTIVATION_KEYS}
    for seed in PREACTIVATION_SEEDS:
        for task, activation in PREACTIVATION_CONFIGS:
            rows[f"{task}_{activation}"].append(preactivation_percentiles(task, activation, steps, lr, seed))
    out = {"seeds": len(PREACTIVATION_SEEDS),
           "before_max": max(max(r["p_before"]) for rs in rows.values() for r in rs),
           "trained_lower_loss": share([r["loss_after"] < r["loss_before"] for rs in rows.values() for r in rs])}
    for key, rs in rows.items():
        after = finite([r["p_after"] for r in rs])  # (seeds, layers)
        out[key] = {"before": spread([max(r["p_before"]) for r in rs]), "after_layer_2": spread(after[:, 1]),
                    "after_max": spread(after.max(axis=1)),
                    "inside_after_layer_2": spread([r["inside_after"][1] for r in rs])}
    return out


def opening_surface() -> dict:
    """The opening figure at its defaults (bumps, 2 x 16, Adam at 0.02, 600 steps), per seed of the
    figure (its data and its initialisation) and activation: the final test MSE."""
    mse = {}
    for act in SCULPT_ACTIVATIONS:
        mse[act] = []
        for seed in SCULPT_SEEDS:
            params = sculpt.SCHEMA.resolve({"activation": act, "seed": seed})
            run = sculpt.train(sculpt.start(params), params["steps"], params["steps"])
            mse[act].append(float(run.test_loss[-1][1]))
    square = finite(mse["square"])
    others = finite([mse[a] for a in SCULPT_ACTIVATIONS if a != "square"])
    return {"seeds": len(SCULPT_SEEDS), "test": {a: spread(finite(v)) for a, v in mse.items()},
            "square_worst": share(square > others.max(axis=0)),
            "square_over_others": float(np.median(square) / np.max(np.median(others, axis=1)))}


def measure() -> dict:
    return {"seeds": SEEDS, "depth_seeds": DEPTH_SEEDS, "best_cut": best_cut_accuracy(),
            "xor_linear": xor_linear(), "hinges": hinges(), "regions": regions(), "derivatives": derivatives(),
            "mse_vs_ce": mse_vs_ce(), "xor": xor_table(), "surface": surface_table(), "depth": depth_table(),
            "neuron": single_neuron(), "polynomials": polynomials(), "preactivations": preactivations(),
            "opening": opening_surface(), "complex": complexity()}


# The statements ------------------------------------------------------------------
#
# Margins: the depth-2 comparisons, the constructions, the single neurons and the
# pre-activations agree to 1e-9 between the Haswell, Sandybridge and Prescott kernels
# (they are not chaotic); the depth-8 runs are, and move between kernels and Pyodide
# (GELU's median setback 7.4 to 8.5, ReLU's upper-to-lower quartile ratio 2.0 to 2.3),
# so their thresholds sit well below every platform's value.


def med(stat: dict) -> float:
    return stat["median"]


def at_depth(m: dict, key: str, depth: int) -> dict:
    return m["depth"][key][str(depth)]


CLAIMS: list[Claim] = [
    # Why a line is not enough; one hinge at a time
    Claim("xor_least_squares",
          "On the four XOR points the least-squares line is w = 0, b = 1/2 (MSE 0.25); the notes' "
          "two-unit ReLU net gets all four exactly.",
          lambda m: {"w": m["xor_linear"]["w"], "b": m["xor_linear"]["b"], "mse": m["xor_linear"]["mse"],
                     "relu_net_error": m["xor_linear"]["relu_net_error"]},
          lambda v: max(map(abs, v["w"])) < 1e-12 and abs(v["b"] - 0.5) < 1e-12 and abs(v["mse"] - 0.25) < 1e-12
          and v["relu_net_error"] < 1e-12),
    Claim("hinges_recovered",
          "Five hinges rebuild the notes' target; least squares recovers their slopes to 1e-10.",
          lambda m: m["hinges"],
          lambda v: v["construction_error"] < 1e-10 and v["least_squares_error"] < 1e-10),
    # Depth: counting linear regions
    Claim("grid_counts_are_lower_bounds",
          "A 200 x 200 grid misses regions: for seed 0 it sees fewer than the shallow net's exact count in "
          "the square, for none of ten seeds more; no exact count exceeds the plane's bound 211.",
          lambda m: {"seed_0": m["regions"]["per_seed"][0], "bound": m["regions"]["bound"],
                     "grid_below_exact": share([s["shallow"] <= s["shallow_exact"] for s in m["regions"]["per_seed"]]),
                     "exact_within_bound": share([s["shallow_exact"] <= m["regions"]["bound"]
                                                  for s in m["regions"]["per_seed"]])},
          lambda v: v["seed_0"]["shallow"] < v["seed_0"]["shallow_exact"] <= v["bound"] == 211
          and v["grid_below_exact"] == 1.0 and v["exact_within_bound"] == 1.0),
    Claim("depth_does_not_win_at_random",
          "At random initialisation the deep 2-10-10-1 net has fewer regions than the shallow 2-20-1: its "
          "median grid count is well below the shallow net's median exact count, and below even the shallow "
          "net's grid count for several of the ten seeds.",
          lambda m: {k: m["regions"][k] for k in ("deep_median", "shallow_exact_median", "deep_below_shallow_grid",
                                                  "seeds")},
          lambda v: v["deep_median"] < v["shallow_exact_median"] - 20 and v["deep_below_shallow_grid"] >= 3),
    Claim("deep_net_beats_the_plane_bound",
          "On [-2, 2]^2 the deep net of seed 2 shows more regions on a 1000 x 1000 grid than 20 lines can make "
          "in the whole plane (211); the figure's 200 x 200 grid sees fewer, and fewer than 211.",
          lambda m: m["regions"]["wide_deep_seed2"] | {"bound": m["regions"]["bound"]},
          lambda v: v["grid_1000"] > v["bound"] > v["grid_200"]),
    # The activations, and their Jacobians
    Claim("gelu_silu_amplify_sigmoid_shrinks",
          "GELU's and SiLU's derivatives peak above 1 (1.129 and 1.100); sigmoid's never exceeds 0.25.",
          lambda m: {k: m["derivatives"]["sup"][k] for k in ("gelu", "silu", "sigmoid")},
          lambda v: abs(v["gelu"] - 1.1289) < 1e-3 and abs(v["silu"] - 1.0998) < 1e-3
          and abs(v["sigmoid"] - 0.25) < 1e-6),
    Claim("blur_revives_relu",
          "ReLU's derivative is zero for half of all standard normal inputs; blurred with h = 0.5, for "
          "Phi(-h/2) = 40 % of them.",
          lambda m: {k: m["derivatives"][k] for k in ("relu_zero_share", "relu_blurred_zero_share",
                                                      "blurred_zero_share_formula")},
          lambda v: abs(v["relu_zero_share"] - 0.5) < 2e-3
          and abs(v["relu_blurred_zero_share"] - v["blurred_zero_share_formula"]) < 2e-3),
    Claim("relu_cheap_gelu_dear",
          "In this numpy implementation ReLU costs under a nanosecond per element, the exact GELU tens of them.",
          lambda m: {k: m["derivatives"]["cost_ns"][k] for k in ("relu", "gelu")},
          lambda v: v["relu"] < 1.0 and 10.0 <= v["gelu"] <= 100.0),
    # Cross-entropy undoes the sigmoid's saturation
    Claim("cross_entropy_pushes_harder",
          "At z = -5 with target 1, MSE on a sigmoid has gradient -0.0132, cross-entropy -0.9933 (75 times "
          "stronger); |MSE gradient| never exceeds 8/27.",
          lambda m: m["mse_vs_ce"],
          lambda v: abs(v["mse_grad"] + 0.0132) < 1e-4 and abs(v["ce_grad"] + 0.9933) < 1e-4
          and 70 < v["ratio"] < 80 and abs(v["mse_grad_max"] - v["bound"]) < 1e-6),
    # Which activation trains best?  (16 seeds, 2 x 16 units, 300 Adam steps)
    Claim("xor_classic_activations_land_together",
          "On noisy XOR the ReLU family and the classic smooth activations end within a few points of each "
          "other, between 92 and 97 % median test accuracy.",
          lambda m: {"lo": m["xor"]["classic_lo"], "hi": m["xor"]["classic_hi"]},
          lambda v: 0.92 <= v["lo"] and v["hi"] <= 0.97),
    Claim("xor_everyone_learns",
          "On noisy XOR every activation learns the rule: no activation has more than one seed in ten at or "
          "below the best straight cut, and at most a few runs of all do.",
          lambda m: {"failed_runs": m["xor"]["failed_runs"], "worst_failed": m["xor"]["worst_failed"]},
          lambda v: v["failed_runs"] <= 0.05 and v["worst_failed"] <= 0.1),
    Claim("xor_oscillating_fit_the_flipped_labels",
          "sin and z cos z reach the two lowest median training losses, over 2.5 times below anyone else's.",
          lambda m: {"sin": med(m["xor"]["by"]["sin"]["loss"]), "zcosz": med(m["xor"]["by"]["zcosz"]["loss"]),
                     "factor": m["xor"]["oscillating_loss_factor"]},
          lambda v: v["factor"] >= 2.5),
    Claim("xor_oscillating_generalise_worst",
          "sin and z cos z are last on the clean test set, each median at least 1.5 points below every other "
          "activation's and 5 points below the best.",
          lambda m: {"sin": med(m["xor"]["by"]["sin"]["test"]), "zcosz": med(m["xor"]["by"]["zcosz"]["test"]),
                     "next_worst": min(med(s["test"]) for k, s in m["xor"]["by"].items() if k not in OSCILLATING),
                     "best": max(med(s["test"]) for s in m["xor"]["by"].values())},
          lambda v: max(v["sin"], v["zcosz"]) <= v["next_worst"] - 0.015
          and max(v["sin"], v["zcosz"]) <= v["best"] - 0.05),
    Claim("surface_three_behind",
          "On the bumpy surface x^2, sigmoid and softplus are the three worst, each median test MSE at least "
          "4 times the best; the other nine are within 2.5 times of the best, the best four within 1.3.",
          lambda m: {"behind": sorted(m["surface"]["ranking"][-3:]), "behind_at_least": m["surface"]["behind_at_least"],
                     "rest_within": m["surface"]["rest_within"], "top_four_within": m["surface"]["top_four_within"]},
          lambda v: v["behind"] == sorted(BEHIND) and v["behind_at_least"] >= 4.0 and v["rest_within"] <= 2.5
          and v["top_four_within"] <= 1.3),
    Claim("surface_sigmoid_softplus_fail_often",
          "On the surface sigmoid and softplus fail (test MSE above half the surface's variance) on a large "
          "share of the seeds within the budget; no other activation fails on more than one in twenty.",
          lambda m: {k: m["surface"]["by"][k]["failed"] for k in m["surface"]["by"]},
          lambda v: v["sigmoid"] >= 0.25 and v["softplus"] >= 0.25
          and all(f <= 0.05 for k, f in v.items() if k not in ("sigmoid", "softplus"))),
    Claim("opening_square_fits_worst",
          "In the opening figure (its defaults, 16 seeds of data and initialisation) x^2 ends with the worst "
          "test MSE of x^2, ReLU, tanh, GELU and sin on nearly every seed, its median at least 4 times the others'.",
          lambda m: {"square_worst": m["opening"]["square_worst"], "over_others": m["opening"]["square_over_others"]},
          lambda v: v["square_worst"] >= 0.9 and v["over_others"] >= 4.0),
    Claim("one_hidden_layer_trains_smoothly",
          "With one hidden layer the loss barely rises again (median setback at most 1.05, at most one seed in "
          "ten above 2) and at most one seed in twenty fails, for ReLU, tanh, sigmoid and GELU.",
          lambda m: {k: {"setback": med(at_depth(m, k, 1)["setback"]), "over_2": at_depth(m, k, 1)["setback_over_2"],
                         "failed": at_depth(m, k, 1)["failed"]} for k in m["depth"]},
          lambda v: all(s["setback"] <= 1.05 and s["over_2"] <= 0.1 and s["failed"] <= 0.05 for s in v.values())),
    Claim("eight_layers_relapse",
          "With eight hidden layers ReLU's and GELU's training loss climbs back above its best value: median "
          "setback at least 3, and for at least three quarters of the seeds above 2.",
          lambda m: {k: {"setback": med(at_depth(m, k, 8)["setback"]), "over_2": at_depth(m, k, 8)["setback_over_2"]}
                     for k in ("relu", "gelu")},
          lambda v: all(s["setback"] >= 3.0 and s["over_2"] >= 0.75 for s in v.values())),
    Claim("eight_layers_spread_the_seeds",
          "With eight hidden layers ReLU's and GELU's seeds end further apart: the upper quartile of the final "
          "training loss is at least 1.5 times the lower (at most 1.2 times with one layer).",
          lambda m: {k: {d: at_depth(m, k, d)["loss_quartile_ratio"] for d in (1, 8)} for k in ("relu", "gelu")},
          lambda v: all(q[8] >= 1.5 and q[1] <= 1.2 for q in v.values())),
    Claim("tanh_holds_up_at_depth_8",
          "tanh relapses less at depth 8 (median setback below 3) and ends with the best median test accuracy "
          "of the four, at least a point above ReLU's and GELU's.",
          lambda m: {"setback": med(at_depth(m, "tanh", 8)["setback"]),
                     "test": {k: med(at_depth(m, k, 8)["test"]) for k in m["depth"]}},
          lambda v: v["setback"] < 3.0
          and v["test"]["tanh"] >= max(v["test"]["relu"], v["test"]["gelu"]) + 0.01
          and v["test"]["tanh"] >= v["test"]["sigmoid"]),
    Claim("eight_sigmoid_layers_barely_learn",
          "Eight sigmoid layers barely learn XOR: median test accuracy a little above the best straight cut "
          "and below 75 %, training loss near log 2; with one layer sigmoid learns it.",
          lambda m: {"test_8": med(at_depth(m, "sigmoid", 8)["test"]), "loss_8": med(at_depth(m, "sigmoid", 8)["loss"]),
                     "test_1": med(at_depth(m, "sigmoid", 1)["test"]), "best_cut": m["best_cut"]},
          lambda v: v["best_cut"] + 0.01 <= v["test_8"] <= 0.75 and v["loss_8"] >= 0.5 and v["test_1"] >= 0.85),
    # Too complex an activation?  (ReLU, GELU, tanh against the same plus sin(8x)/8; 16 seeds, 3 step sizes)
    Claim("complex_ripples_turn_often",
          "On [-4, 4] ReLU, GELU and tanh have at most one turning point; with the ripple added, at least ten each.",
          lambda m: m["complex"]["turning_points"],
          lambda v: all(v[s] <= 1 and v[t] >= 10 for s, t in RIPPLED.items())),
    Claim("complex_ripples_fit_the_training_data_closer",
          "At every one of the three step sizes, on XOR and on the surface, each rippled activation ends with a "
          "median training loss lower than its simple twin's, by a factor of at least 1.3.",
          lambda m: {d: m["complex"][d]["loss_ratio_min"] for d in COMPLEX_DATASETS},
          lambda v: all(r >= 1.3 for r in v.values())),
    Claim("complex_ripples_test_worse",
          "Each activation at its best of the three step sizes: on XOR every rippled twin's median test accuracy "
          "is at least a point below its simple twin's, on the surface its median test MSE at least 1.1 times; "
          "no rippled run fails (ends at or past the fail line).",
          lambda m: {"xor_gap": m["complex"]["xor"]["test_gap"], "surface_ratio": m["complex"][SURFACE]["test_ratio"],
                     "ripples_failed": max(m["complex"][d]["best"][t]["failed"] for d in COMPLEX_DATASETS
                                           for t in RIPPLED.values())},
          lambda v: all(g >= 0.01 for g in v["xor_gap"].values())
          and all(r >= 1.1 for r in v["surface_ratio"].values()) and v["ripples_failed"] == 0.0),
    # One neuron
    Claim("one_zcosz_neuron_separates_xor",
          "The constructed z cos z neuron separates the XOR points (+-1, +-1) with a margin of pi/2, and "
          "trained from random starts it separates them nearly every time.",
          lambda m: {k: m["neuron"][k] for k in ("constructed_right", "constructed_margin", "trained_all_right")},
          lambda v: v["constructed_right"] == 1.0 and v["constructed_margin"] >= np.pi / 2 - 1e-9
          and v["trained_all_right"] >= 0.9),
    Claim("monotone_neurons_get_three_of_four",
          "Over 20 000 random neurons the best ReLU, tanh or sigmoid neuron gets exactly 3 of the 4 XOR points; "
          "sin, x^2, GELU and SiLU neurons get all four.",
          lambda m: m["neuron"]["best_random"],
          lambda v: all(v[k] == 0.75 for k in MONOTONE_NEURONS) and all(v[k] == 1.0 for k in DIPPED_NEURONS)),
    # Polynomial activations
    Claim("taylor_departs_before_4",
          "The degree-9 Taylor polynomial of softplus is off by more than 0.1 from |x| = 3.11 on, on both "
          "sides: inside [-4, 4].",
          lambda m: {"right": m["polynomials"]["taylor_departure"], "left": m["polynomials"]["taylor_departure_left"]},
          lambda v: abs(v["right"] - 3.109) < 0.005 and abs(v["left"] - v["right"]) < 1e-6),
    Claim("taylor_radius",
          "Inside 0.9 of the radius of convergence the Taylor error shrinks by 0.90 per degree, at 1.1 times it "
          "grows by 1.10, for sigmoid and tanh.",
          lambda m: {"inside": m["polynomials"]["inside_ratio"], "outside": m["polynomials"]["outside_ratio"]},
          lambda v: all(abs(r - 0.9) < 1e-3 for r in v["inside"].values())
          and all(abs(r - 1.1) < 1e-3 for r in v["outside"].values())),
    Claim("chebyshev_beats_taylor",
          "On [-4, 4] the degree-9 Chebyshev fit is within 3.7e-4 of softplus where Taylor is off by 0.96; "
          "for sigmoid the fitted rate 2.054 per degree matches the predicted 2.057.",
          lambda m: {k: m["polynomials"][k] for k in ("chebyshev_9", "taylor_9", "sigmoid_rate",
                                                       "sigmoid_rate_predicted")},
          lambda v: v["chebyshev_9"] < 4e-4 and abs(v["taylor_9"] - 0.963) < 0.005
          and abs(v["sigmoid_rate"] / v["sigmoid_rate_predicted"] - 1) < 0.01),
    Claim("log_series_softplus",
          "Five terms of the log series give softplus to 1.1e-6 on [-30, 30].",
          lambda m: {"error": m["polynomials"]["log_series_5"]},
          lambda v: v["error"] < 1.5e-6),
    Claim("preactivations_start_small",
          "At initialisation 99 % of the pre-activations |z| stay below about 3: the median over seeds of the "
          "largest layer's 99th percentile is below 3.6 in every configuration. Every trained net lowered its loss.",
          lambda m: {k: med(m["preactivations"][k]["before"]) for k in PREACTIVATION_KEYS}
          | {"trained_lower_loss": m["preactivations"]["trained_lower_loss"]},
          lambda v: all(v[k] < 3.6 for k in PREACTIVATION_KEYS) and v["trained_lower_loss"] == 1.0),
    Claim("preactivations_on_a_surface_stay_near_4",
          "Trained on a surface, the second layer's pre-activations grow only a little: at the median at least "
          "95 % of them stay inside [-4, 4] (tanh and softplus).",
          lambda m: {k: med(m["preactivations"][k]["inside_after_layer_2"]) for k in ("ripple_tanh", "ripple_softplus")},
          lambda v: all(s >= 0.95 for s in v.values())),
    Claim("preactivations_on_xor_grow",
          "Trained on separable XOR with cross-entropy, the second layer's 99th percentile of |z| leaves [-4, 4] "
          "far behind: median above 6 with tanh, above 15 with ReLU and softplus; at the median at most 75 % of "
          "z stay inside.",
          lambda m: {k: {"p99": med(m["preactivations"][k]["after_layer_2"]),
                         "inside": med(m["preactivations"][k]["inside_after_layer_2"])}
                     for k in ("xor_tanh", "xor_relu", "xor_softplus")},
          lambda v: v["xor_tanh"]["p99"] > 6 and v["xor_relu"]["p99"] > 15 and v["xor_softplus"]["p99"] > 15
          and all(s["inside"] <= 0.75 for s in v.values())),
]
