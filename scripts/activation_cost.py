r"""Measure what each activation costs per element in CPython numpy, and write it down.

Run ``.venv/bin/python scripts/activation_cost.py``. For every activation of
``jacobiator.activations.ACTIVATIONS`` it times the value :math:`\sigma(x)` and
the derivative :math:`\sigma'(x)` separately on :math:`10^6` standard-normal
float64 inputs: one warm-up call, then the median of ``REPEATS`` calls, divided
by the number of elements. It writes the result to ``jacobiator/activation_costs.py``,
a generated module holding a dict constant, with a header that says how, when
and where the numbers were measured.

Why a generated module: a figure's render must be deterministic (the static
render at build time equals the live one in the browser), so no render may
time anything. The table of the activation chapter reads this constant
instead, and tests/test_activation_gallery.py fails, naming this script, when
an activation is registered without a measured cost.

The numbers depend on the machine and on its load: they are an order of
magnitude (which activation is 10x dearer than ReLU), not a benchmark.
"""

import argparse
import datetime
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from jacobiator.activations import ACTIVATIONS

ELEMENTS = 10**6
REPEATS = 9
SEED = 0
OUTPUT = Path(__file__).resolve().parents[1] / "jacobiator" / "activation_costs.py"


def ns_per_element(fn, x: np.ndarray, repeats: int) -> float:
    """The median wall time of ``fn(x)`` over ``repeats`` calls, in ns per element of x."""
    fn(x)  # warm-up: page faults of the first output allocation, lazy imports
    times = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        fn(x)
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / x.size


def measure(repeats: int = REPEATS, elements: int = ELEMENTS) -> dict[str, dict[str, float]]:
    """``{key: {"value": ns, "grad": ns}}`` for every registered activation."""
    x = np.random.default_rng(SEED).standard_normal(elements)
    return {key: {"value": round(ns_per_element(a.fn, x, repeats), 3),
                  "grad": round(ns_per_element(a.grad, x, repeats), 3)}
            for key, a in ACTIVATIONS.items()}


def cpu_name() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> dict[str, str]:
    return {
        "cpu": cpu_name(),
        "arch": platform.machine(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "date": datetime.date.today().isoformat(),
    }


def module_text(costs: dict, where: dict, repeats: int, elements: int) -> str:
    lines = [
        '"""Cost per element of each activation in CPython numpy: GENERATED, do not edit.',
        "",
        "Written by `.venv/bin/python scripts/activation_cost.py` (rerun it after adding",
        f"an activation). Median of {repeats} calls on {elements:,} standard-normal float64 inputs, after",
        "one warm-up call; value and derivative timed separately.",
        "",
        f"Measured on {where['cpu']} ({where['arch']}, {where['system']}),",
        f"Python {where['python']}, numpy {where['numpy']}, on {where['date']}.",
        '"""',
        "",
        f"MEASURED_ON = {where!r}",
        f"REPEATS = {repeats}",
        f"ELEMENTS = {elements}",
        "",
        "# ns per element: {activation key: {'value': sigma(x), 'grad': sigma'(x)}}",
        "COST_NS = {",
        *(f"    {key!r}: {{'value': {c['value']!r}, 'grad': {c['grad']!r}}}," for key, c in costs.items()),
        "}",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--elements", type=int, default=ELEMENTS)
    args = parser.parse_args()
    costs = measure(args.repeats, args.elements)
    OUTPUT.write_text(module_text(costs, machine(), args.repeats, args.elements))
    width = max(map(len, costs))
    for key, c in costs.items():
        print(f"{key:<{width}}  value {c['value']:7.2f} ns/elem   derivative {c['grad']:7.2f} ns/elem")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
