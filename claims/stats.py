"""Statistics over seeds: how a chaotic measurement is quoted.

Training with a distorted backward pass, or a deep plain net, is chaotic: one
rounding difference (another BLAS kernel, Pyodide's numpy) sends a seed
somewhere else. So a claim never rests on one seed. It quotes the median over
many seeds with a bootstrap 90 % interval of that median, and shares of seeds
(how many ended below a line), which move little when single seeds move.
"""

import numpy as np

BOOTSTRAP_DRAWS = 2000
LEVEL = 0.90  # the interval quoted beside every median


def spread(values) -> dict:
    """The median of ``values`` with its bootstrap 90 % interval (percentile method, fixed
    resampling seed, so the same values always give the same interval), and the min and max."""
    v = np.asarray(values, dtype=float).ravel()
    rng = np.random.default_rng(0)
    medians = np.median(v[rng.integers(0, v.size, (BOOTSTRAP_DRAWS, v.size))], axis=1)
    tail = (1 - LEVEL) / 2
    return {"median": float(np.median(v)), "lo": float(np.quantile(medians, tail)),
            "hi": float(np.quantile(medians, 1 - tail)), "min": float(v.min()), "max": float(v.max()),
            "n": int(v.size)}


def share(mask) -> float:
    """The share of seeds for which ``mask`` is true."""
    return float(np.mean(np.asarray(mask, dtype=bool)))
