r"""Polynomial approximations of softplus, sigmoid and tanh, and where they fail.

Three ways to replace :math:`f` by something built from additions and
multiplications (and, for the last, a few more operations):

* **Taylor** at 0, :math:`P_d(x) = \sum_{n \le d} c_n x^n`, with exact rational
  coefficients from the Bernoulli numbers. It converges only on
  :math:`|x| < \rho`, the distance from 0 to the nearest complex singularity:
  :math:`\rho = \pi` for softplus and sigmoid (at :math:`x = \pm i\pi`),
  :math:`\rho = \pi/2` for tanh.
* **Chebyshev**: a least-squares fit of degree :math:`d` on :math:`[-R, R]` at
  Chebyshev nodes. Its error decays like :math:`\varrho^{-d}` with
  :math:`\varrho = \rho/R + \sqrt{1 + (\rho/R)^2}` (the Bernstein ellipse through
  the singularity), and it says nothing about :math:`|x| > R`.
* **Log series** (softplus only), the trick of a Q&A answer:
  :math:`\ln(1 + e^x) = x + \ln(1 + e^{-x})`, then
  :math:`\ln y = 2\sum_k \frac{1}{2k+1}\left(\frac{y-1}{y+1}\right)^{2k+1}` with
  the argument brought near 1 by :math:`\ln y = a \ln y^{1/a}`. It needs
  :math:`e^x`, a division and roots: it is not a polynomial in :math:`x`.

Pure numpy (``fractions`` for the exact coefficients); no I/O.
"""

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from math import comb, factorial

import numpy as np
from numpy.polynomial import chebyshev as C
from numpy.polynomial import polynomial as P

from .activations import sigmoid, softplus

Array = np.ndarray

# ---------------------------------------------------------------------------
# The functions approximated


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    fn: Callable[[Array], Array]
    radius: float  # radius of convergence of the Taylor series at 0
    radius_label: str


TARGETS: dict[str, Target] = {
    t.key: t
    for t in [
        Target("softplus", "softplus ln(1 + eˣ)", softplus, np.pi, "π"),
        Target("sigmoid", "sigmoid 1/(1 + e⁻ˣ)", sigmoid, np.pi, "π"),
        Target("tanh", "tanh x", np.tanh, np.pi / 2, "π/2"),
    ]
}


def get_target(key: str) -> Target:
    if key not in TARGETS:
        raise ValueError(f"unknown function {key!r}; choose one of: {', '.join(TARGETS)}")
    return TARGETS[key]


# ---------------------------------------------------------------------------
# Taylor series at 0, exactly


@cache
def bernoulli(m: int) -> Fraction:
    r"""The Bernoulli number :math:`B_m` (with :math:`B_1 = -\tfrac12`), from
    :math:`\sum_{k=0}^{m} \binom{m+1}{k} B_k = 0` for :math:`m \ge 1`."""
    if m == 0:
        return Fraction(1)
    return -sum(comb(m + 1, k) * bernoulli(k) for k in range(m)) / (m + 1)


def tanh_fraction(n: int) -> Fraction:
    r"""The coefficient of :math:`x^n` in :math:`\tanh x`:
    :math:`\frac{2^{2k}(2^{2k} - 1) B_{2k}}{(2k)!}` for :math:`n = 2k - 1`, 0 for even n."""
    if n % 2 == 0:
        return Fraction(0)
    k = (n + 1) // 2
    return Fraction(4**k * (4**k - 1)) * bernoulli(2 * k) / factorial(2 * k)


def sigmoid_fraction(n: int) -> Fraction:
    r"""The coefficient of :math:`x^n` in :math:`\sigma(x) = \tfrac12 + \tfrac12\tanh\tfrac x2`:
    :math:`\tfrac12` for n = 0, else :math:`t_n / 2^{n+1}`."""
    return Fraction(1, 2) if n == 0 else tanh_fraction(n) / 2 ** (n + 1)


def softplus_fraction(n: int) -> Fraction:
    r"""The coefficient of :math:`x^n` in :math:`\operatorname{softplus}(x) - \ln 2`:
    softplus' = :math:`\sigma`, so :math:`c_n = s_{n-1}/n` for n >= 1 (and 0 for n = 0:
    the constant :math:`\ln 2` is irrational and kept apart)."""
    return Fraction(0) if n == 0 else sigmoid_fraction(n - 1) / n


_FRACTIONS = {"softplus": softplus_fraction, "sigmoid": sigmoid_fraction, "tanh": tanh_fraction}


@cache
def rational_taylor(key: str, degree: int) -> tuple[Fraction, ...]:
    r"""The exact Taylor coefficients :math:`c_0 \ldots c_d` of :math:`f(x) - \ln 2 \cdot [f = \text{softplus}]`
    at 0: all rational."""
    get_target(key)
    if degree < 0:
        raise ValueError(f"degree must be >= 0, got {degree}")
    return tuple(_FRACTIONS[key](n) for n in range(degree + 1))


def taylor_coefficients(key: str, degree: int) -> Array:
    r"""The Taylor coefficients :math:`c_n = f^{(n)}(0)/n!`, :math:`n = 0 \ldots d`, as floats."""
    c = np.array([float(q) for q in rational_taylor(key, degree)])
    if key == "softplus":
        c[0] = np.log(2.0)
    return c


def taylor(key: str, degree: int) -> Callable[[Array], Array]:
    r"""The Taylor polynomial :math:`P_d(x) = \sum_{n=0}^{d} c_n x^n` (Horner)."""
    c = taylor_coefficients(key, degree)
    return lambda x: P.polyval(np.asarray(x, dtype=float), c)


# ---------------------------------------------------------------------------
# Chebyshev least squares on [-R, R]


def chebyshev_nodes(n: int, R: float) -> Array:
    r""":math:`x_j = R\cos\frac{\pi(j + 1/2)}{n}`, :math:`j = 0 \ldots n-1`."""
    return R * np.cos(np.pi * (np.arange(n) + 0.5) / n)


def chebyshev(key: str, degree: int, R: float) -> C.Chebyshev:
    r"""The degree-d least-squares fit :math:`\sum_n a_n T_n(x/R)` to f at 4(d+1)
    Chebyshev nodes of :math:`[-R, R]` (four times as many nodes as unknowns:
    near-minimax, and well conditioned in the Chebyshev basis)."""
    if R <= 0:
        raise ValueError(f"R must be positive, got {R}")
    x = chebyshev_nodes(4 * (degree + 1), R)
    return C.Chebyshev.fit(x, get_target(key).fn(x), degree, domain=[-R, R])


def bernstein_rate(key: str, R: float) -> float:
    r"""The predicted decay ratio :math:`\varrho = \rho/R + \sqrt{1 + (\rho/R)^2}` of the
    Chebyshev error, :math:`E_d \approx K\varrho^{-d}`: the largest Bernstein ellipse with foci
    :math:`\pm R` inside which f is analytic passes through the singularity :math:`\pm i\rho`."""
    s = get_target(key).radius / R
    return float(s + np.sqrt(1.0 + s * s))


# ---------------------------------------------------------------------------
# The log-series trick (softplus)


def log_series(y: Array, terms: int) -> Array:
    r""":math:`\ln y \approx 2\sum_{k=0}^{K-1} \frac{u^{2k+1}}{2k+1}`, :math:`u = \frac{y-1}{y+1}`
    (exact as :math:`K \to \infty` for every y > 0; fast when y is near 1)."""
    if terms < 1:
        raise ValueError(f"terms must be >= 1, got {terms}")
    y = np.asarray(y, dtype=float)
    u = (y - 1.0) / (y + 1.0)
    u2 = u * u
    acc = np.zeros_like(u)
    for k in range(terms - 1, -1, -1):  # Horner in u^2
        acc = 1.0 / (2 * k + 1) + u2 * acc
    return 2.0 * u * acc


def log_series_bound(u_max: float, terms: int) -> float:
    r"""The tail :math:`2\sum_{k \ge K} \frac{u^{2k+1}}{2k+1} \le \frac{2u^{2K+1}}{(2K+1)(1-u^2)}`
    at the largest :math:`|u|`: a bound on the error of ``log_series`` (one reduction step)."""
    return 2.0 * u_max ** (2 * terms + 1) / ((2 * terms + 1) * (1.0 - u_max**2))


def reduction_power(R: float) -> int:
    r"""The m with :math:`a = 2^m` square roots enough that :math:`(1 + e^x)^{1/a} \le 2`
    for all :math:`x \le R`: :math:`m = \lceil \log_2 \log_2(1 + e^R) \rceil` (at least 0).
    This is the answer's "pick an a that does the trick for most inputs", the
    range R standing for what batch normalization says about the inputs."""
    return max(0, int(np.ceil(np.log2(np.log2(1.0 + np.exp(R))))))


def softplus_log_series(x: Array, terms: int, m: int = 0, mirror: bool = True) -> Array:
    r"""Softplus by the answer's recipe.

    With ``mirror``, :math:`\ln(1 + e^x) = \max(x, 0) + \ln(1 + e^{-|x|})` (the
    answer's :math:`x + \ln(1 + e^{-x})` for large x, the plain form for x < 0), so
    the logarithm's argument y lies in (1, 2]. Then
    :math:`\ln y = 2^m \ln y^{1/2^m}` (m square roots) and ``log_series``.
    Without ``mirror``, :math:`y = 1 + e^x` grows without bound and m must
    be chosen for the range of x (``reduction_power``).
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(over="ignore"):  # without the mirror, e^x overflows past x ~ 709: inf stays inf
        y = 1.0 + np.exp(-np.abs(x)) if mirror else 1.0 + np.exp(x)
    for _ in range(m):
        y = np.sqrt(y)
    with np.errstate(invalid="ignore"):
        log_y = 2.0**m * log_series(y, terms)
    return np.maximum(x, 0.0) + log_y if mirror else log_y


def log_series_terms(degree: int) -> int:
    """The number of series terms whose highest power of u is at most ``degree``."""
    return max(1, (degree + 1) // 2)


# ---------------------------------------------------------------------------
# The registry of methods: (function, degree, R) -> approximant


@dataclass(frozen=True)
class Method:
    key: str
    label: str
    applies_to: tuple[str, ...]
    build: Callable[[str, int, float], Callable[[Array], Array]]


METHODS: dict[str, Method] = {
    m.key: m
    for m in [
        Method("taylor", "Taylor at 0", tuple(TARGETS), lambda key, d, R: taylor(key, d)),
        Method("chebyshev", "Chebyshev fit on [−R, R]", tuple(TARGETS), lambda key, d, R: chebyshev(key, d, R)),
        Method("log_series", "log series (needs eˣ, ÷)", ("softplus",),
               lambda key, d, R: lambda x: softplus_log_series(x, log_series_terms(d))),
    ]
}


def approximant(method: str, key: str, degree: int, R: float = 4.0) -> Callable[[Array], Array]:
    """The approximation of function ``key`` by ``method`` with this degree (and fit range R)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of: {', '.join(METHODS)}")
    get_target(key)
    m = METHODS[method]
    if key not in m.applies_to:
        raise ValueError(f"the {method} method applies only to {', '.join(m.applies_to)}, not to {key!r}")
    return m.build(key, degree, R)


def methods_for(key: str) -> list[str]:
    return [k for k, m in METHODS.items() if key in m.applies_to]


# ---------------------------------------------------------------------------
# Measurements the chapter quotes


def max_error(approx: Callable[[Array], Array], key: str, lo: float, hi: float, points: int = 4001) -> float:
    r""":math:`\max_{x \in [lo, hi]} |p(x) - f(x)|` on an even grid."""
    x = np.linspace(lo, hi, points)
    return float(np.max(np.abs(approx(x) - get_target(key).fn(x))))


def _first_crossing(excess: Callable[[Array], Array], sign: float, span: float, step: float = 1e-3) -> float:
    """The smallest t in (0, span] with excess(sign * t) > 0, to ~1e-10 by bisection (inf if none)."""
    t = np.arange(step, span + step, step)
    over = np.nonzero(excess(sign * t) > 0)[0]
    if over.size == 0:
        return float("inf")
    lo, hi = (t[over[0] - 1] if over[0] > 0 else 0.0), t[over[0]]
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if excess(np.array([sign * mid]))[0] > 0 else (mid, hi)
    return float(hi)


def taylor_departure(key: str = "softplus", degree: int = 9, abs_tol: float = 0.1, rel_tol: float = 0.1,
                     span: float = 20.0) -> dict:
    r"""Where :math:`P_d` leaves f: the smallest :math:`|x|` on each side with
    :math:`|P_d(x) - f(x)| > 0.1`, and with :math:`|P_d(x) - f(x)| / |f(x)| > 10\%`.

    Returns ``{"abs": {"+": x, "-": x}, "rel": {"+": x, "-": x}}`` (distances |x|)."""
    p, f = taylor(key, degree), get_target(key).fn

    def abs_excess(x):
        return np.abs(p(x) - f(x)) - abs_tol

    def rel_excess(x):
        return np.abs(p(x) - f(x)) - rel_tol * np.abs(f(x))

    return {name: {"+": _first_crossing(g, 1.0, span), "-": _first_crossing(g, -1.0, span)}
            for name, g in (("abs", abs_excess), ("rel", rel_excess))}


def taylor_radius_evidence(key: str, degrees=tuple(range(1, 42, 4)), inside: float = 0.9,
                           outside: float = 1.1) -> dict:
    r"""The max error of :math:`P_d` on :math:`|x| \le r` for :math:`r = 0.9\rho` and
    :math:`r = 1.1\rho`, for increasing d: inside the radius it shrinks like
    :math:`(r/\rho)^d`, outside it grows like :math:`(r/\rho)^d`. ``inside_ratio`` and
    ``outside_ratio`` are the fitted error ratios per degree over the later half of the degrees."""
    rho = get_target(key).radius
    result = {"radius": rho, "degrees": list(degrees)}
    late = np.asarray(degrees) >= np.median(degrees)  # the asymptotic half: early degrees are not yet geometric
    for name, share in (("inside", inside), ("outside", outside)):
        r = share * rho
        errors = [max_error(taylor(key, d), key, -r, r) for d in degrees]
        slope, _ = np.polyfit(np.asarray(degrees)[late], np.log(np.asarray(errors)[late]), 1)
        result[name] = errors
        result[name + "_ratio"] = float(np.exp(slope))  # error ratio per degree, ~ r / rho
    return result


def chebyshev_decay(key: str, R: float, degrees=tuple(range(2, 61)), floor: float = 1e-11) -> dict:
    r"""The max error :math:`E_d` of the Chebyshev fit on :math:`[-R, R]` against d, and the
    ratio :math:`\hat\varrho` of a least-squares line :math:`\log E_d = \log K - d\log\hat\varrho`
    through the degrees whose error is above ``floor`` (below it, rounding takes over);
    ``predicted`` is ``bernstein_rate``."""
    errors = np.array([max_error(chebyshev(key, d, R), key, -R, R) for d in degrees])
    d = np.asarray(degrees, dtype=float)
    used = errors > floor
    slope, _ = np.polyfit(d[used], np.log(errors[used]), 1)
    return {"degrees": list(degrees), "errors": errors.tolist(), "fitted": float(np.exp(-slope)),
            "predicted": bernstein_rate(key, R), "used": int(used.sum())}


def log_series_accuracy(terms_list=(1, 2, 3, 5, 8), span: float = 30.0, R: float = 4.0) -> dict:
    r"""The max error of the log-series softplus on :math:`[-30, 30]` per number of terms K:
    ``mirror`` (argument in (1, 2], u <= 1/3) against its bound; ``plain_reduced`` without the
    mirror, m = reduction_power(R) square roots, on [-R, R] and on [-30, 30]."""
    m = reduction_power(R)
    out = {"terms": list(terms_list), "m": m, "mirror": [], "mirror_bound": [], "plain_reduced_R": [],
           "plain_reduced_span": []}
    for k in terms_list:
        out["mirror"].append(max_error(lambda x, k=k: softplus_log_series(x, k), "softplus", -span, span))
        out["mirror_bound"].append(log_series_bound(1.0 / 3.0, k))
        plain = (lambda x, k=k: softplus_log_series(x, k, m=m, mirror=False))
        out["plain_reduced_R"].append(max_error(plain, "softplus", -R, R))
        out["plain_reduced_span"].append(max_error(plain, "softplus", -span, span))
    return out
