"""The restore-the-Jacobian chapter (docs/restore-the-jacobian.md): a Jacobian learnt from
directional samples, and a learned gradient model, against the forward gradient and the truth.

Part 1 trains a matrix by gradient descent on a linear, consistent problem, and part 2 trains
small nets with Adam; with fixed seeds these runs reproduce across BLAS kernels and Pyodide.
Where a single run is fragile (a chaotic count, a thin margin) the claim is made over
several seeds instead: the rising-loss search (:data:`SEARCH_SEEDS`), the effect of the
mini-batch size at 3 × 3 (:data:`BATCH_SEEDS`), the fit with learned gradients
(one per seed of :data:`RACE_SEEDS`), and the headline comparison across sizes, with step sizes
tuned on :data:`TUNING_SEEDS` and errors over :data:`HEADLINE_SEEDS`.

    .venv/bin/python -m claims restore
"""

import itertools

import numpy as np

from jacobiator import learned_chain as lc
from jacobiator import learned_gradient as lg
from jacobiator import restore
from jacobiator.restore import Config

from . import Claim
from .stats import share, spread

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
        out[str(dim)] = restore.crossover(run)["epochs"]
    return out


def sizes(proportion: float = 0.25, epochs: float = 20.0) -> dict:
    """The size sweep of the chapter's figure: median final relative error per size, and the forward gradient's."""
    sweep = restore.size_sweep(Config(epochs=epochs), proportion, SEEDS)
    return {"seeds": len(SEEDS), "sizes": sweep["sizes"], "learned": [float(np.median(v)) for v in sweep["learned"]],
            "single": sweep["single"], "shared": sweep["shared"]}


def cosine_scale(messup: float = 5.0) -> dict:
    """|Ĵ| / |J| at the end, for the pure cosine loss, the pure MSE and an even mix, from initial_messup = 5;
    and the pure cosine under Adam at the same step size, whose steps do not shrink as |Ĵ| grows."""
    out = {}
    for name, w, optimizer in (("cosine", 1.0, "sgd"), ("mse", 0.0, "sgd"), ("mix", 0.5, "sgd"),
                               ("cosine_adam", 1.0, "adam")):
        run = restore.train(Config(initial_messup=messup, cos_weight=w, optimizer=optimizer))
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


LSQ_SEEDS = (0, 1, 2, 3, 4, 5)


def least_squares(seeds=LSQ_SEEDS) -> dict:
    """The least-squares Ĵ from part 1's own samples against the trained Ĵ, at the defaults: after one
    epoch, and once the samples have touched every column; the trained Ĵ after one epoch and at the end.
    The solve is deterministic, but which columns one epoch touches depends on the seed, so the
    statement is checked at each of several seeds; the text quotes seed 0, the figure's run."""
    out = {key: [] for key in ("lsq_one_epoch", "columns_seen", "cover_epochs", "lsq_at_cover",
                               "trained_one_epoch", "trained_at_end")}
    for seed in seeds:
        config = Config(**{**PART1.__dict__, "seed": seed})
        one = restore.least_squares_baseline(config, epochs=1.0)
        cover = restore.epochs_to_cover(config)
        run = restore.train(config)
        after_one = run.history["step"].index(config.samples_per_epoch // config.batch)
        out["lsq_one_epoch"].append(one["rel_error"])
        out["columns_seen"].append(one["columns_seen"])
        out["cover_epochs"].append(cover)
        out["lsq_at_cover"].append(restore.least_squares_baseline(config, cover)["rel_error"])
        out["trained_one_epoch"].append(run.history["rel_error"][after_one])
        out["trained_at_end"].append(run.history["rel_error"][-1])
    return {"seeds": len(seeds), "dim_i": PART1.dim_i, "epochs": PART1.epochs,
            "seed0": {key: v[0] for key, v in out.items()}, "max_cover_epochs": max(out["cover_epochs"]),
            "max_lsq_at_cover": max(out["lsq_at_cover"]), "min_trained_at_end": min(out["trained_at_end"])} | out


SEARCH = {"cos_weight": (0.0, 0.5, 0.9, 1.0), "initial_messup": (1.0, 5.0, 20.0), "optimizer": ("sgd", "adam"),
          "lr": (0.1, 0.3), "size": ((8, 2), (32, 8))}
SEARCH_SEEDS = (0, 1, 2)


def rising_loss_search(min_ratio: float = 1.05, min_gain: float = 0.02, seeds=SEARCH_SEEDS) -> dict:
    """Every setting of SEARCH (96), at each seed: the runs in which the held-out loss rose by at
    least 5 % over 10 records while the share of right signs grew by at least 2 points. Which
    runs cross these lines is chaotic (the count changes from seed to seed), so the counts are
    over all seeds, and beside them the largest gain in signs of a rising stretch where none was found:
    at the smaller step size and at 32 × 32."""
    found, gain_small_lr, gain_large = [], 0.0, 0.0
    for seed in seeds:
        for w, messup, opt, lr, (dim, ds) in itertools.product(*SEARCH.values()):
            config = Config(dim_i=dim, dim_o=dim, dim_sample=ds, cos_weight=w, initial_messup=messup,
                            optimizer=opt, lr=lr, seed=seed)
            run = restore.train(config)
            stretch = restore.rising_loss_better_signs(run)
            rising = stretch["found"] and stretch["loss_ratio"] >= min_ratio
            if rising and stretch["signs_gain"] >= min_gain:
                found.append({"config": config.__dict__, "final_signs": run.history["signs"][-1]} | stretch)
            if rising and lr == min(SEARCH["lr"]):
                gain_small_lr = max(gain_small_lr, stretch["signs_gain"])
            if rising and dim == max(d for d, _ in SEARCH["size"]):
                gain_large = max(gain_large, stretch["signs_gain"])
    settings = int(np.prod([len(v) for v in SEARCH.values()]))
    return {"settings": settings, "seeds": len(seeds), "runs": settings * len(seeds),
            "min_ratio": min_ratio, "min_gain": min_gain, "found": found, "count": len(found),
            "count_large_lr": sum(f["config"]["lr"] == max(SEARCH["lr"]) for f in found),
            "count_8x8": sum(f["config"]["dim_i"] == 8 for f in found),
            "count_sgd": sum(f["config"]["optimizer"] == "sgd" for f in found),
            "min_count_per_seed": min(sum(f["config"]["seed"] == seed for f in found) for seed in seeds),
            "max_count_per_seed": max(sum(f["config"]["seed"] == seed for f in found) for seed in seeds),
            "max_gain_small_lr": gain_small_lr, "max_gain_32x32": gain_large}


# Part 2 ------------------------------------------------------------------------------

PART2 = lg.Config()  # 2 x 2, 60 000 samples each
RACE_SEEDS = (0, 1, 2)


def race_and_fit(config: lg.Config = PART2, seeds=RACE_SEEDS) -> dict:
    """Both models trained at each seed: their final relative errors (the race), and the final loss
    of the linear fit with each learned gradient (100 steps at 0.1), beside the true gradient's."""
    true = lg.fit_linear(lg.true_gradient, config, steps=100)
    race = {key: [] for key in lg.MODELS}
    fit = {key: [] for key in lg.MODELS}
    for seed in seeds:
        seeded = lg.Config(**{**config.__dict__, "seed": seed})
        r = lg.train(seeded)
        for key in lg.MODELS:
            race[key].append(r.history[key]["rel_error"][-1])
            fit[key].append(lg.fit_linear(lg.as_gradient(r.models[key]), seeded, steps=100)[-1])
    ratio = {key: [v / true[-1] for v in fit[key]] for key in lg.MODELS}
    return {"race": race, "fit": {"start": true[0], "true": true[-1]}
            | {key: {"end": v, "min": min(v), "max": max(v), "ratio_to_true": ratio[key],
                     "max_ratio_to_true": max(ratio[key])} for key, v in fit.items()}}


# The headline made fair: each model's Adam step size tuned per size with the same search (the
# same grid, the same tuning seeds, chosen on the median final error), then both evaluated on other
# seeds. The grid spans the hand-picked step sizes (0.003 for the deep net, 0.01 for Log-Lin-Exp).
STEP_SIZES = (0.001, 0.003, 0.01, 0.03)
TUNING_SEEDS = (100, 101)
HEADLINE_SEEDS = (0, 1, 2, 3, 4)


def headline(dims=lg.DIMS, grid=STEP_SIZES, tuning_seeds=TUNING_SEEDS, seeds=HEADLINE_SEEDS) -> dict:
    """Per square size: each model's tuned step size, cost, and final errors (overall, of ∇x, of ∇A)
    per evaluation seed with their median and 90 % interval; the share of seeds at which Log-Lin-Exp
    beats the deep net (the same seed: the same samples and held-out inputs)."""
    out = {"sizes": list(dims), "grid": list(grid), "tuning_seeds": len(tuning_seeds), "seeds": len(seeds),
           "runs": len(dims) * (len(grid) * len(tuning_seeds) + len(seeds))}
    for dim in dims:
        cell = lg.tuned_comparison(lg.square(PART2, dim), grid, tuning_seeds, seeds)
        for key in lg.MODELS:
            for name in lg.QUALITY:
                cell[key][name + "_spread"] = spread(cell[key][name])
        cell["lle_wins"] = share(np.less(cell["lle"]["rel_error"], cell["fc"]["rel_error"]))
        out[str(dim)] = cell
    return out


BATCH_SEEDS = (0, 1, 2, 3, 4)


def batch_effect(dim: int = 3, batches=(50, 64), seeds=BATCH_SEEDS) -> dict:
    """At ``dim`` × ``dim``, both models trained with each mini-batch size at each seed (the same
    60 000 samples): per model the final relative errors, and per seed the ratio of the error with
    the second batch size to that with the first."""
    errors = {key: {str(b): [] for b in batches} for key in lg.MODELS}
    for seed in seeds:
        for b in batches:
            r = lg.train(lg.Config(dim_i=dim, dim_o=dim, batch=b, seed=seed))
            for key in lg.MODELS:
                errors[key][str(b)].append(r.history[key]["rel_error"][-1])
    out = {"dim": dim, "seeds": len(seeds), "batches": list(batches),
           "steps": [lg.Config(batch=b).steps for b in batches]}
    for key in lg.MODELS:
        first, second = (np.array(errors[key][str(b)]) for b in batches)
        ratio = second / first
        out[key] = {"rel_error": errors[key], "median": {str(b): float(np.median(errors[key][str(b)])) for b in batches},
                    "ratio": ratio.tolist(), "min_ratio": float(ratio.min()), "max_ratio": float(ratio.max()),
                    "max_change": float(np.max(np.abs(ratio - 1)))}
    return out


def costs() -> dict:
    """Multiply-adds of one gradient of f(x, A) = Ax, learned or backpropagated, at 2 x 2 and 4 x 4."""
    return {str(dim): lg.gradient_costs(lg.square(PART2, dim)) for dim in (2, 4)}


def measure() -> dict:
    return {"default": default_run(), "least_squares": least_squares(), "costs": costs(), "crossovers": crossovers(), "sizes": sizes(), "cosine_scale": cosine_scale(),
            "forward_variance": forward_variance(), "rising_loss": rising_loss_search(),
            "headline": headline(), "batch_effect": batch_effect()} | race_and_fit() | nonlinear_and_chain()


# The claims --------------------------------------------------------------------------


def _sizes_hold(v: dict) -> bool:
    learned, single, shared = v["learned"], v["single"], v["shared"]
    return (all(a > b for a, b in zip(learned, learned[1:]))
            and learned[0] > single[0]  # at 4 x 4 the forward gradient wins
            and all(lrn < sgl for lrn, sgl in zip(learned[1:], single[1:]))  # from 8 x 8 on, the learned Ĵ
            and all(lrn < shr for lrn, shr in zip(learned, shared)))  # shared by 16 queries, it always loses


def _cells(m: dict, dims=(1, 2, 3)) -> dict:
    """At each size of ``dims``: both models' median errors (overall and per block) and the share of
    evaluation seeds at which Log-Lin-Exp wins."""
    out = {}
    for dim in dims:
        cell = m["headline"][str(dim)]
        out[f"{dim}.lle_wins"] = cell["lle_wins"]
        for key in lg.MODELS:
            for name in lg.QUALITY[1:]:
                out[f"{dim}.{key}.{name}"] = cell[key][name + "_spread"]["median"]
    return out


def _lle_ahead_on_both_blocks(v: dict, dims=(1, 2, 3)) -> bool:
    return all(v[f"{d}.lle_wins"] == 1.0 and v[f"{d}.lle.rel_error"] < 0.5 * v[f"{d}.fc.rel_error"]
               and all(v[f"{d}.lle.{b}"] < 0.5 * v[f"{d}.fc.{b}"] for b in ("rel_error_x", "rel_error_A"))
               for d in dims)


CLAIMS: list[Claim] = [
    Claim("default_run",
          "At its defaults (8 × 8, dim_sample 2, 50 epochs) Ĵ ends below a relative error of 0.005 with "
          "every sign right, and overtakes the forward gradient that spends the whole budget on one query "
          "between epochs 15 and 30, ending more than 10 times better.",
          lambda m: {"rel_error": m["default"]["rel_error"], "signs": m["default"]["signs"],
                     "crossover": m["default"]["crossover"]["epochs"],
                     "forward_at_end": m["default"]["crossover"]["forward_at_end"]},
          lambda v: (v["rel_error"] < 0.005 and v["signs"] == 1.0 and v["crossover"] is not None
                     and 15 <= v["crossover"] <= 30 and v["forward_at_end"] > 10 * v["rel_error"])),
    Claim("least_squares_is_the_fair_baseline",
          "At the defaults and at each of 6 seeds, the least-squares Ĵ from part 1's first epoch of samples "
          "is closer to J than the trained Ĵ after that epoch, though one epoch leaves some columns untouched; "
          "from the samples of at most 5 epochs, once every column is touched, it is exact to 1e-9, "
          "while the trained Ĵ ends 50 epochs above 1e-4.",
          lambda m: {k: m["least_squares"][k] for k in ("lsq_one_epoch", "trained_one_epoch", "columns_seen",
                                                         "max_cover_epochs", "max_lsq_at_cover",
                                                         "min_trained_at_end")},
          lambda v: (all(ls < tr for ls, tr in zip(v["lsq_one_epoch"], v["trained_one_epoch"]))
                     and min(v["columns_seen"]) < PART1.dim_i and v["max_cover_epochs"] is not None
                     and v["max_cover_epochs"] <= 5 and v["max_lsq_at_cover"] < 1e-9
                     and v["min_trained_at_end"] > 1e-4)),
    Claim("larger_problems_overtake_sooner",
          "At dim_sample = dim / 4, Ĵ overtakes the forward gradient later at 4 × 4 than at 8 × 8, and "
          "later at 8 × 8 than at 32 × 32.",
          lambda m: dict(m["crossovers"]),
          lambda v: None not in v.values() and v["4"] > v["8"] > v["32"]),
    Claim("higher_dimensions_learn_better",
          "At the same proportion dim_sample / dim and 20 epochs, the median error of Ĵ falls from 4 × 4 to "
          "32 × 32; the forward gradient with the whole budget on one query wins at 4 × 4 only, and shared "
          "by 16 queries it always loses.",
          lambda m: {k: m["sizes"][k] for k in ("learned", "single", "shared")},
          _sizes_hold),
    Claim("cosine_cannot_fix_the_scale",
          "From initial_messup = 5, the pure cosine loss ends with |Ĵ| / |J| above 4; MSE and an even mix "
          "end within 1 % of the right scale.",
          lambda m: {k: m["cosine_scale"][k]["scale"] for k in ("cosine", "mse", "mix")},
          lambda v: v["cosine"] > 4.0 and abs(v["mse"] - 1) < 0.01 and abs(v["mix"] - 1) < 0.01),
    Claim("adam_finds_the_direction_not_the_scale",
          "From initial_messup = 5, the pure cosine loss under gradient descent barely turns Ĵ (cosine with J "
          "below 0.2); under Adam at the same step size it finds the direction (cosine above 0.8) and still "
          "ends more than 4 times too large.",
          lambda m: {"sgd.cosine": m["cosine_scale"]["cosine"]["cosine"],
                     "adam.cosine": m["cosine_scale"]["cosine_adam"]["cosine"],
                     "adam.scale": m["cosine_scale"]["cosine_adam"]["scale"]},
          lambda v: v["sgd.cosine"] < 0.2 and v["adam.cosine"] > 0.8 and v["adam.scale"] > 4.0),
    Claim("forward_gradient_variance",
          "One forward-gradient sample has E|ĝ|² / |∇|² = n + 2 (10 for n = 8), measured within 0.3.",
          lambda m: {"measured": m["forward_variance"]},
          lambda v: abs(v["measured"] - 10) < 0.3),
    Claim("rising_loss_is_rare_and_at_the_large_step",
          "Over the 96 settings at 3 seeds, a held-out loss rising while the signs improve shows up in a "
          "few runs (at least 1, at most 10 %), all at the larger step size 0.3 and the smaller size 8 × 8: "
          "at step size 0.1 no rising stretch gains a quarter of the 2 points of signs needed, at 32 × 32 "
          "none gains half.",
          lambda m: {k: m["rising_loss"][k] for k in ("settings", "runs", "count", "count_large_lr", "count_8x8",
                                                       "min_gain", "max_gain_small_lr", "max_gain_32x32")},
          lambda v: (v["settings"] == 96 and 1 <= v["count"] <= 0.1 * v["runs"]
                     and v["count_large_lr"] == v["count"] == v["count_8x8"]
                     and v["max_gain_small_lr"] < 0.25 * v["min_gain"] and v["max_gain_32x32"] < 0.5 * v["min_gain"])),
    Claim("headline_lle_wins_up_to_3x3_on_both_blocks",
          "With each model's step size tuned per size on the same grid and tuning seeds, the Log-Lin-Exp net "
          "ends with a lower relative error than the deep net at every one of 5 other seeds at 1 × 1, 2 × 2 "
          "and 3 × 3; its median error is less than half the deep net's there, for ∇x and for ∇A apart too.",
          _cells, _lle_ahead_on_both_blocks),
    Claim("headline_lle_learns_nothing_at_4x4",
          "At 4 × 4 the Log-Lin-Exp net has not learnt at any step size of the grid (median tuning error above "
          "0.9 at each) nor at the evaluation seeds (median above 0.9), and the deep net is ahead at every "
          "seed; the deep net's ∇x is learnt better than its ∇A there (median error lower by over 0.05).",
          lambda m: {"lle_wins": m["headline"]["4"]["lle_wins"],
                     "lle_min_tuning_score": min(m["headline"]["4"]["lle"]["tuning"]["score"]),
                     "lle": m["headline"]["4"]["lle"]["rel_error_spread"]["median"],
                     "fc_x": m["headline"]["4"]["fc"]["rel_error_x_spread"]["median"],
                     "fc_A": m["headline"]["4"]["fc"]["rel_error_A_spread"]["median"]},
          lambda v: (v["lle_wins"] == 0.0 and v["lle_min_tuning_score"] > 0.9 and v["lle"] > 0.9
                     and v["fc_x"] < v["fc_A"] - 0.05)),
    Claim("headline_lle_best_step_at_1x1_is_the_grids_largest",
          "At 1 × 1 the Log-Lin-Exp net's best step size is the largest of the grid, with a median tuning "
          "error less than half that at the next one.",
          lambda m: {"step_size": m["headline"]["1"]["lle"]["step_size"], "grid_max": max(m["headline"]["grid"]),
                     "scores": m["headline"]["1"]["lle"]["tuning"]["score"]},
          lambda v: v["step_size"] == v["grid_max"] and v["scores"][-1] < 0.5 * v["scores"][-2]),
    Claim("headline_lle_is_the_smaller_model",
          "At every size the Log-Lin-Exp net has at most a third of the deep net's parameters and at most "
          "half of its multiply-adds per learned gradient.",
          lambda m: {f"{d}.{key}.{n}": m["headline"][str(d)][key][n] for d in m["headline"]["sizes"]
                     for key in lg.MODELS for n in ("parameters", "multiply_adds")},
          lambda v: all(v[k] <= v[k.replace(".lle.", ".fc.")] / (3 if k.endswith("parameters") else 2)
                        for k in v if ".lle." in k)),
    Claim("batch_64_hurts_lle_at_3x3",
          "At 3 × 3, mini-batches of 64 instead of 50 (the same samples) leave the Log-Lin-Exp net's error "
          "at least 1.5 times larger at every seed, while the deep net's changes by less than 25 %.",
          lambda m: {"lle_min_ratio": m["batch_effect"]["lle"]["min_ratio"],
                     "lle_max_ratio": m["batch_effect"]["lle"]["max_ratio"],
                     "fc_max_change": m["batch_effect"]["fc"]["max_change"]},
          lambda v: v["lle_min_ratio"] > 1.5 and v["fc_max_change"] < 0.25),
    Claim("learned_gradients_fit_almost_like_the_true_one",
          "With the learned gradient of each seed in place of backprop, 100 steps of the linear fit end "
          "within 5 % of the true gradient's loss with the Log-Lin-Exp net and within 50 % with the deep "
          "net, the deep net behind the Log-Lin-Exp net at every seed.",
          lambda m: {"lle_max_ratio": m["fit"]["lle"]["max_ratio_to_true"],
                     "fc_max_ratio": m["fit"]["fc"]["max_ratio_to_true"],
                     "fc_end": m["fit"]["fc"]["end"], "lle_end": m["fit"]["lle"]["end"]},
          lambda v: (v["lle_max_ratio"] < 1.05 and v["fc_max_ratio"] < 1.5
                     and all(f > l for f, l in zip(v["fc_end"], v["lle_end"])))),
    Claim("a_learned_gradient_is_not_cheaper",
          "One learned gradient of f(x, A) = Ax costs over 100 times the multiply-adds of backprop's at "
          "2 x 2 and at 4 x 4, for both models, and the training alone costs over a million backprop gradients.",
          lambda m: {f"{dim}.{key}.{name}": m["costs"][dim][key][name] for dim in ("2", "4") for key in lg.MODELS
                     for name in ("ratio", "training_in_gradients")},
          lambda v: all(x > 100 for k, x in v.items() if k.endswith("ratio"))
          and all(x > 1e6 for k, x in v.items() if k.endswith("gradients"))),
]


# Part 2, a nonlinear f and learned gradients chained through a network -----------------

CHAIN_SEEDS = (0, 1, 2, 3, 4)
FD_STEP = 0.01  # the central difference's step for tanh (at h = 1 its targets are far off; see target_error)
CHAIN = lc.ChainConfig()  # width 2, two tanh layers and a linear read-out, 300 steps at 0.1


def _spreads(rows: list[list[float]]) -> list[dict]:
    """Per position, the spread over seeds of ``rows`` (one list per seed)."""
    return [spread(column) | {"values": list(column)} for column in zip(*rows)]


def nonlinear_and_chain(seeds=CHAIN_SEEDS) -> dict:
    """At each seed both families trained on Ax and on tanh(Ax) (step h = FD_STEP), and on tanh(Ax) at
    h = 1, whose central difference is not exact; then the chain fitted with backprop, feedback
    alignment and each family's learned gradients. Statistics over the seeds."""
    runs = [lc.seed_run(lg.Config(fd_step=FD_STEP, seed=s), lc.ChainConfig(**{**CHAIN.__dict__, "seed": s}))
            for s in seeds]
    coarse = [lg.train(lg.Config(f="tanh", seed=s)) for s in seeds]
    race = {kind: {key: [r["race"][kind][key] for r in runs] for key in lg.MODELS} for kind in lg.PROBLEMS}
    race["tanh_h1"] = {key: [r.history[key]["rel_error"][-1] for r in coarse] for key in lg.MODELS}
    nonlinear = {"seeds": len(seeds), "fd_step": FD_STEP,
                 "target_error": {"h1": lc.central_difference_error(lg.Config(f="tanh", fd_step=1.0)),
                                  "h": lc.central_difference_error(lg.Config(f="tanh", fd_step=FD_STEP))},
                 "race": {kind: {key: spread(v) | {"values": v} for key, v in per.items()} for kind, per in race.items()}}
    chain = {"seeds": len(seeds), "layers": len(CHAIN.kinds), "steps": CHAIN.steps, "lr": CHAIN.lr,
             "points": CHAIN.points, "start": spread([r["start_loss"] for r in runs])}
    for key in lc.RULES:
        per = [r[key] for r in runs]
        chain[key] = {"end": spread([p["end"] for p in per]) | {"values": [p["end"] for p in per]},
                      "best": spread([p["best"] for p in per]) | {"values": [p["best"] for p in per]},
                      "rose": share([p["curve"][-1] > 2 * p["best"] or not np.isfinite(p["curve"][-1]) for p in per]),
                      "arrived": _spreads([p["arrived"] for p in per]), "own": _spreads([p["own"] for p in per]),
                      "grad_A": _spreads([p["grad_A"] for p in per]),
                      # the bottom layer's ∇ over what the layer above it errs alone: above 1, the errors compound
                      "compounding": spread([p["arrived"][-1] / p["own"][-1] if p["own"][-1] > 0 else 1.0
                                             for p in per])}
    return {"nonlinear": nonlinear, "chain": chain}


def _median(m: dict, *path) -> float:
    for key in path:
        m = m[key]
    return m["median"]


CLAIMS += [
    Claim("tanh_is_learnt_worse_and_lle_loses_its_lead",
          "On f(x, A) = tanh(Ax), with the same samples and budget (step h = 0.01), both models end with a "
          "median relative error above 0.4 and more than twice their error on Ax; the Log-Lin-Exp net, far ahead "
          "on Ax, is behind the deep net.",
          lambda m: {f"{kind}.{key}": _median(m, "nonlinear", "race", kind, key)
                     for kind in ("linear", "tanh") for key in lg.MODELS},
          lambda v: (all(v[f"tanh.{k}"] > max(0.4, 2 * v[f"linear.{k}"]) for k in lg.MODELS)
                     and v["linear.lle"] < v["linear.fc"] and v["tanh.lle"] > v["tanh.fc"])),
    Claim("the_central_difference_of_tanh_needs_a_small_step",
          "For tanh(Ax) the central difference at h = 1 is off from the exact directional derivative by more "
          "than 30 % (relative RMS), at h = 0.01 by less than 0.1 %; trained on the h = 1 targets both models "
          "end with a larger median error.",
          lambda m: {"h1": m["nonlinear"]["target_error"]["h1"], "h": m["nonlinear"]["target_error"]["h"]}
          | {f"{kind}.{key}": _median(m, "nonlinear", "race", kind, key) for kind in ("tanh", "tanh_h1")
             for key in lg.MODELS},
          lambda v: (v["h1"] > 0.3 and v["h"] < 1e-3
                     and all(v[f"tanh_h1.{k}"] > v[f"tanh.{k}"] for k in lg.MODELS))),
    Claim("learned_gradients_do_not_replace_backprop_in_a_chain",
          "Fitting the three-layer tanh network over 5 seeds, backprop ends with the lowest median loss and "
          "feedback alignment next; with either family's learned gradients the median of the lowest loss "
          "reached on the way is above feedback alignment's final median, and over 10 times backprop's.",
          lambda m: {f"{key}.end": _median(m, "chain", key, "end") for key in lc.RULES}
          | {f"{key}.best": _median(m, "chain", key, "best") for key in lg.MODELS},
          lambda v: (v["backprop.end"] < v["fa.end"] < min(v["fc.end"], v["lle.end"])
                     and all(v[f"{k}.best"] > max(v["fa.end"], 10 * v["backprop.end"]) for k in lg.MODELS))),
    Claim("with_learned_gradients_the_loss_rises_again",
          "With the learned gradients the loss ends more than twice above its lowest point in at least half "
          "of the seeds, for each family; with backprop and feedback alignment in none.",
          lambda m: {key: m["chain"][key]["rose"] for key in lc.RULES},
          lambda v: v["backprop"] == v["fa"] == 0 and min(v["fc"], v["lle"]) >= 0.5),
    Claim("the_learned_error_is_the_tanh_layers_own",
          "At the start of the fit, the gradient reaching the bottom layer after two learned steps is further "
          "off than after one, for both families, but within 30 % (median over seeds) of what the tanh layer's "
          "model errs when handed the exact gradient: the errors add little to each other. Feedback "
          "alignment's is off by more than 50 % below the read-out.",
          lambda m: {f"{key}.{name}": m["chain"][key]["arrived"][k]["median"] for key in ("fc", "lle", "fa")
                     for k, name in ((1, "one"), (2, "two"))}
          | {f"{key}.compounding": _median(m, "chain", key, "compounding") for key in lg.MODELS},
          lambda v: (all(v[f"{k}.two"] > v[f"{k}.one"] and 0.7 < v[f"{k}.compounding"] < 1.3 for k in lg.MODELS)
                     and min(v["fa.one"], v["fa.two"]) > 0.5)),
]
