r"""The gradient-fields chapter (docs/gradient-fields.md): the observations about the losses, measured.

Each ``observe_*`` function is pure (fixed seeds, no I/O) and returns a dict of
plain floats, ints and lists, named after the claim it measures (a. to i.);
:func:`measure` runs them all, and :data:`CLAIMS` states what the chapter
concludes from them. Everything here is closed-form arithmetic or a short
deterministic descent, so the numbers agree between platforms to rounding; the
margins of the claims are many orders of magnitude wider than that.

    .venv/bin/python -m claims gradient_fields
"""

import numpy as np

from jacobiator.descent import crossings, descend, distances
from jacobiator.losses import cos_sim, dot_sim, gen_sim, gensim_loss, get_loss

from . import Claim

TARGET = np.array([[0.5, 0.3]])  # the gradient-field figures' default target
DIMENSIONS = (2, 5)


# --- Helpers -------------------------------------------------------------------


def random_pairs(seed: int, count: int, n: int, min_norm: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Normal x and y, shape (count, n), both of length >= min_norm (away from x = 0 and y = 0)."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(count, n)), rng.normal(size=(count, n))
    short = (np.linalg.norm(x, axis=1) < min_norm) | (np.linalg.norm(y, axis=1) < min_norm)
    return x[~short], y[~short]


def circle(center: np.ndarray, radius: float, count: int) -> np.ndarray:
    """``count`` points on a circle in the plane, at angles (k + 1/2) 2π / count."""
    angle = 2 * np.pi * (np.arange(count) + 0.5) / count
    return center + radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def perpendicular(y: np.ndarray) -> np.ndarray:
    """y turned by 90° in the plane, same length."""
    return np.stack([-y[:, 1], y[:, 0]], axis=1)


def orthogonal_part(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    r""":math:`z - \frac{\langle z | y \rangle}{\langle y | y \rangle} y`, per sample."""
    return z - (np.sum(z * y, axis=1) / np.sum(y * y, axis=1))[:, None] * y


def norms(v: np.ndarray) -> np.ndarray:
    return np.linalg.norm(v, axis=-1)


def signed_angle(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The angle from y to p in the plane, in (-π, π], for points of any leading shape."""
    return np.arctan2(y[..., 0] * p[..., 1] - y[..., 1] * p[..., 0], np.sum(p * y, axis=-1))


def sign_changes(values: np.ndarray) -> np.ndarray:
    """How many times each column of ``values`` (steps, N) changes sign."""
    s = np.sign(values)
    return np.sum(s[1:] * s[:-1] < 0, axis=0)


def plane_grid(half_width: float, cells: int) -> tuple[np.ndarray, float]:
    """The points of a cells x cells grid over [-half_width, half_width]^2, (cells², 2), and its spacing.
    With an even ``cells`` the grid misses the origin (where CosSim is undefined)."""
    t = np.linspace(-half_width, half_width, cells)
    gx, gy = np.meshgrid(t, t, indexing="ij")
    return np.stack([gx.ravel(), gy.ravel()], axis=1), float(t[1] - t[0])


def strict_local_minima(values: np.ndarray) -> int:
    """How many interior cells of a 2D array are strictly below all 8 neighbours."""
    centre = values[1:-1, 1:-1]
    is_min = np.isfinite(centre)
    rows, cols = values.shape
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                neighbour = values[1 + di:rows - 1 + di, 1 + dj:cols - 1 + dj]
                is_min &= ~(neighbour <= centre)
    return int(is_min.sum())


def max_relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """max_i |a_i - b_i| / |a_i| over the rows."""
    return float(np.max(norms(a - b) / norms(a)))


# --- a. to i. ---------------------------------------------------------------------


def observe_cos_field_ignores_y_length(seed: int = 1, count: int = 2000) -> dict:
    """a. ∇x(1 − CosSim) at (x, y) equals it at (x, c y), c > 0 (c log-uniform in [1e-3, 1e3]).
    The same measure on 1 − DotSim, whose field does scale with 1/|y|, for contrast."""
    rng = np.random.default_rng(seed)
    result = {"cos_max_relative_difference": 0.0, "dot_max_relative_difference": 0.0}
    for n in DIMENSIONS:
        x, y = random_pairs(seed + n, count, n)
        c = 10.0 ** rng.uniform(-3, 3, size=(len(y), 1))
        for key in ("cos", "dot"):
            dL_dx = get_loss(key).dL_dx
            d = max_relative_difference(dL_dx(x, y), dL_dx(x, c * y))
            result[f"{key}_max_relative_difference"] = max(result[f"{key}_max_relative_difference"], d)
    return result


def observe_cos_field_grows_like_one_over_x(seed: int = 2, rays: int = 20) -> dict:
    """b. Along a ray x = t u, t from 1e-3 to 10, |∇x(1 − CosSim)| · |x| stays constant
    (it is sin θ, θ the angle between x and y). Also: the gradient where x = −t y."""
    rng = np.random.default_rng(seed)
    t = np.logspace(-3, 1, 200)[:, None]
    spread, growth = 0.0, []
    dL_dx = get_loss("cos").dL_dx
    for _ in range(rays):
        u = rng.normal(size=(1, 2))
        u /= norms(u)
        y = np.repeat(rng.normal(size=(1, 2)), len(t), axis=0)
        g = norms(dL_dx(t * u, y))
        product = g * t[:, 0]
        spread = max(spread, float(product.max() / product.min() - 1))
        growth.append(float(g[0] / g[-1]))
    y = np.repeat(TARGET, 4, axis=0)
    antiparallel = norms(dL_dx(-np.array([[0.1], [0.5], [1.0], [5.0]]) * y, y))
    return {
        "t_range": [1e-3, 10.0],
        "max_relative_spread_of_grad_norm_times_norm_x": spread,
        "grad_norm_ratio_smallest_over_largest_t": float(np.median(growth)),
        "max_grad_norm_antiparallel": float(antiparallel.max()),
    }


def observe_cos_flow_keeps_norm(seed: int = 3, count: int = 2000, lr: float = 0.1, steps: int = 100) -> dict:
    """c. <x | ∇x(1 − CosSim)> = 0: the continuous flow keeps |x|. A finite step
    x − η g with g ⊥ x has length |x| sqrt(1 + η²|g|²/|x|²) > |x|: |x| grows."""
    cosine = 0.0
    dL_dx = get_loss("cos").dL_dx
    for n in DIMENSIONS:
        x, y = random_pairs(seed + n, count, n)
        g = dL_dx(x, y)
        cosine = max(cosine, float(np.max(np.abs(np.sum(x * g, axis=1)) / (norms(x) * norms(g)))))

    x0 = circle(np.zeros((1, 2)), 1.0, 8)
    y = np.repeat(TARGET, len(x0), axis=0)
    g0 = dL_dx(x0, y)
    predicted = np.sqrt(1 + lr**2 * np.sum(g0 * g0, axis=1) / np.sum(x0 * x0, axis=1)) - 1
    paths = descend(get_loss("cos"), x0, TARGET, lr, steps)
    r = norms(paths)  # (steps + 1, N)
    first = r[1] / r[0] - 1
    per_step = r[1:] / r[:-1] - 1
    return {
        "max_abs_cosine_x_grad": cosine,
        "lr": lr,
        "starts_norm": 1.0,
        "first_step_relative_growth": first.tolist(),
        "min_first_step_relative_growth": float(first.min()),
        "max_first_step_relative_growth": float(first.max()),
        "first_step_max_relative_error_vs_formula": float(np.max(np.abs(first - predicted) / predicted)),
        "steps": steps,
        "min_relative_growth_per_step": float(per_step.min()),
        "relative_growth_over_descent": (r[-1] / r[0] - 1).tolist(),
        "max_relative_growth_over_descent": float(np.max(r[-1] / r[0] - 1)),
    }


def observe_dot_ignores_orthogonal_part(seed: int = 4, count: int = 2000) -> dict:
    """d. DotSim(x + z, y) = DotSim(x, y) for z ⊥ y, and ∇x DotSim = y/|y|² has no part ⊥ y.
    CosSim, for contrast, does change."""
    result = {"dot_max_abs_change": 0.0, "cos_max_abs_change": 0.0, "dot_grad_max_orthogonal_fraction": 0.0}
    rng = np.random.default_rng(seed)
    dL_dx = get_loss("mse_dot").dL_dx
    for n in DIMENSIONS:
        x, y = random_pairs(seed + n, count, n)
        z = orthogonal_part(rng.normal(size=x.shape) * 3, y)
        for name, sim in (("dot", dot_sim), ("cos", cos_sim)):
            change = float(np.max(np.abs(sim(x + z, y) - sim(x, y))))
            result[f"{name}_max_abs_change"] = max(result[f"{name}_max_abs_change"], change)
        g = dL_dx(x, y)
        fraction = float(np.max(norms(orthogonal_part(g, y)) / norms(g)))
        result["dot_grad_max_orthogonal_fraction"] = max(result["dot_grad_max_orthogonal_fraction"], fraction)
    return result


def observe_dot_rewards_length_mismatch(seed: int = 5) -> dict:
    """e. Along x = t y, t in [0, 5]: 1 − DotSim = 1 − t keeps falling past t = 1
    (below 0), while MSE(1, DotSim) = (1 − t)² is minimal at t = 1."""
    t = np.linspace(0, 5, 501)[:, None]
    y = np.repeat(np.random.default_rng(seed).normal(size=(1, 2)), len(t), axis=0)
    dot = get_loss("dot").value(t * y, y)
    mse_dot = get_loss("mse_dot").value(t * y, y)
    return {
        "t_range": [0.0, 5.0],
        "dot_max_increment": float(np.max(np.diff(dot))),
        "dot_at_t_5": float(dot[-1]),
        "dot_first_t_below_0": float(t[np.argmax(dot < 0), 0]),
        "mse_dot_argmin_t": float(t[np.argmin(mse_dot), 0]),
        "mse_dot_min": float(mse_dot.min()),
        "mse_dot_at_t_5": float(mse_dot[-1]),
    }


def observe_single_minimum(
    targets: tuple = ((0.5, 0.3), (-1.2, 0.7), (0.1, -1.5)),
    half_width: float = 2.5,
    cells: int = 800,
    lr: float = 0.05,
    steps: int = 2000,
) -> dict:
    """f. SumSim and 1 − CosSim + MSE: on a grid the argmin is within a cell of y and
    it is the only strict local minimum; descent from 16 starts on a circle of
    radius 1 around y ends at y. 1 − CosSim is 0 on the ray {t y, t > 0} and
    MSE(1, DotSim) on the line <x|y> = |y|²: descent on them stops wherever it
    meets that set (final loss ~0, final distance to y up to the starts' 1)."""
    points, spacing = plane_grid(half_width, cells)
    result = {"targets": [list(t) for t in targets], "grid_cells": cells, "grid_spacing": spacing,
              "lr": lr, "steps": steps}
    for key in ("sumsim", "cos_mse", "cos", "mse_dot"):
        loss = get_loss(key)
        found = {"argmin_distance_in_cells": [], "strict_local_minima": [],
                 "descent_min_final_distance": [], "descent_max_final_distance": [], "descent_max_final_loss": []}
        for target in targets:
            y = np.array([target])
            values = loss.value(points, np.broadcast_to(y, points.shape))
            found["argmin_distance_in_cells"].append(float(np.max(np.abs(points[np.nanargmin(values)] - y)) / spacing))
            found["strict_local_minima"].append(strict_local_minima(values.reshape(cells, cells)))
            paths = descend(loss, circle(y, 1.0, 16), y, lr, steps)
            final = distances(paths, y)[-1]
            found["descent_min_final_distance"].append(float(final.min()))
            found["descent_max_final_distance"].append(float(final.max()))
            final_loss = loss.value(paths[-1], np.broadcast_to(y, paths[-1].shape))
            found["descent_max_final_loss"].append(float(final_loss.max()))
        found["max_argmin_distance_in_cells"] = max(found["argmin_distance_in_cells"])
        found["max_final_distance"] = max(found["descent_max_final_distance"])
        if key in ("cos", "mse_dot"):
            # Along their flat valleys rounding decides which cell is lowest: no meaningful count.
            del found["strict_local_minima"]
        result[key] = found

    y = np.repeat(TARGET, 5, axis=0)
    ray = np.array([[0.1], [0.5], [2.0], [10.0], [1.0]]) * y  # the last one is y itself
    line = y + np.array([[-10.0], [-1.0], [0.5], [3.0], [0.0]]) * perpendicular(y)
    for name, key, x in (("cos_on_ray", "cos", ray), ("mse_dot_on_line", "mse_dot", line)):
        loss = get_loss(key)
        result[name] = {"max_abs_value": float(np.max(np.abs(loss.value(x, y)))),
                        "max_grad_norm": float(np.max(norms(loss.dL_dx(x, y))))}
    result["off_y"] = off_target_minimum()
    return result


def off_target_minimum(distance: float = 0.1, reach: float = 20.0, points: int = 200_001) -> dict:
    """f., continued. On the ray {t y, t > 0}, where 1 − CosSim is 0, and on the line through y
    orthogonal to y, where MSE(1, DotSim) is 0 (target (0.5, 0.3); both out to ``reach`` |y| from y,
    beyond which both sums only grow, sampled every 2·10⁻⁴ |y|): the smallest value of SumSim and of
    1 − CosSim + MSE at a distance of at least ``distance`` from y. Both sums fall to 0 as x nears y
    along either set, so "off y" needs a distance."""
    y = TARGET
    s = np.linspace(-reach, reach, points)[:, None]
    ray = (1 + s[s[:, 0] > -1]) * y
    line = y + s * perpendicular(y)
    x = np.concatenate([ray, line])
    x = x[norms(x - y) >= distance]
    out = {"distance": distance, "reach_in_norm_y": reach}
    for key in ("sumsim", "cos_mse"):
        out[key] = float(get_loss(key).value(x, np.broadcast_to(y, x.shape)).min())
    return out


def observe_log_overshoots(lr: float = 0.1, steps: int = 50) -> dict:
    """g. Same step size, same 8 starts (on the circle of radius 1.6 around 0), target (0.5, 0.3):
    descent on MSE settles, descent on log MSE jumps past the target again and again.
    For 1 − CosSim, whose minimum is a ray, the same measured on the angle to y."""
    x0 = circle(np.zeros((1, 2)), 1.6, 8)
    result = {"lr": lr, "steps": steps, "start_radius": 1.6, "starts": len(x0), "target": TARGET[0].tolist()}
    for log in (False, True):
        loss = get_loss("mse", log=log)
        paths = descend(loss, x0, TARGET, lr, steps)
        d = distances(paths, TARGET)
        c, closest = crossings(paths, TARGET), d.min(axis=0)
        result[loss.key] = {"final_distance": d[-1].tolist(), "median_final_distance": float(np.median(d[-1])),
                            "closest_approach": closest.tolist(), "crossings": c.tolist(),
                            "min_crossings": int(c.min()), "max_crossings": int(c.max()),
                            "min_closest_approach": float(closest.min()), "max_closest_approach": float(closest.max())}
    for log in (False, True):
        loss = get_loss("cos", log=log)
        paths = descend(loss, x0, TARGET, lr, steps)
        angle = signed_angle(paths, TARGET[0])
        turns = sign_changes(angle)
        result[loss.key] = {"final_abs_angle": np.abs(angle[-1]).tolist(),
                            "angle_crossings": turns.tolist(),
                            "final_norm": norms(paths[-1]).tolist(),
                            "share_turning_past_y": float(np.mean(turns > 0)),
                            "max_final_norm": float(norms(paths[-1]).max())}
    return result


def observe_gensim_special_cases(seed: int = 6, count: int = 2000) -> dict:
    """h. GenSim_1 = CosSim and GenSim_0 = DotSim; so the GenSim loss is (1 − CosSim)² at
    α = 1 and MSE(1, DotSim) at α = 0, gradients included."""
    result = dict.fromkeys(["sim_alpha_1_vs_cos", "sim_alpha_0_vs_dot",
                            "loss_alpha_0_vs_mse_dot", "grad_alpha_0_vs_mse_dot", "grad_alpha_1_vs_cos_squared"], 0.0)
    mse_dot, cos = get_loss("mse_dot"), get_loss("cos")
    for n in DIMENSIONS:
        x, y = random_pairs(seed + n, count, n)
        g0, g1 = gensim_loss(0.0), gensim_loss(1.0)
        one_minus_cos = cos.value(x, y)[:, None]
        found = {
            "sim_alpha_1_vs_cos": np.abs(gen_sim(x, y, 1.0) - cos_sim(x, y)),
            "sim_alpha_0_vs_dot": np.abs(gen_sim(x, y, 0.0) - dot_sim(x, y)),
            "loss_alpha_0_vs_mse_dot": np.abs(g0.value(x, y) - mse_dot.value(x, y)),
            "grad_alpha_0_vs_mse_dot": np.abs(np.concatenate([g0.dL_dx(x, y) - mse_dot.dL_dx(x, y),
                                                              g0.dL_dy(x, y) - mse_dot.dL_dy(x, y)])),
            "grad_alpha_1_vs_cos_squared": np.abs(g1.dL_dx(x, y) - 2 * one_minus_cos * cos.dL_dx(x, y)),
        }
        for name, diff in found.items():
            result[name] = max(result[name], float(diff.max()))
    return result


def observe_dot_field_and_its_normalised_variant(seed: int = 7, count: int = 2000) -> dict:
    """i. (the article's open question) |∇x(1 − DotSim)| = 1/|y|: it explodes as |y| → 0 and
    vanishes as |y| → ∞. MSE(|y|, DotSim') = <y − x | ŷ>² instead has as x-gradient the
    projection of MSE's gradient 2(x − y) on y: same scale as MSE, whatever |y|."""
    result = {"dot_max_relative_error_grad_norm_vs_one_over_norm_y": 0.0,
              "mse_dot_norm_max_relative_difference_vs_projected_mse_grad": 0.0}
    for n in DIMENSIONS:
        x, y = random_pairs(seed + n, count, n)
        g = get_loss("dot").dL_dx(x, y)
        err = float(np.max(np.abs(norms(g) * norms(y) - 1)))
        y_hat = y / norms(y)[:, None]
        projected = np.sum(get_loss("mse").dL_dx(x, y) * y_hat, axis=1)[:, None] * y_hat
        diff = max_relative_difference(projected, get_loss("mse_dot_norm").dL_dx(x, y))
        result["dot_max_relative_error_grad_norm_vs_one_over_norm_y"] = max(
            result["dot_max_relative_error_grad_norm_vs_one_over_norm_y"], err)
        result["mse_dot_norm_max_relative_difference_vs_projected_mse_grad"] = max(
            result["mse_dot_norm_max_relative_difference_vs_projected_mse_grad"], diff)
    return result


def minimiser_along_rays(alpha: float, y: np.ndarray = TARGET, rays: int = 179, radii: int = 20001) -> dict:
    """Along each ray from 0 at an angle θ to y (|θ| < 90°), the radius where the GenSim_α loss
    is lowest, on a geometric grid from 10⁻³|y| to 10|y|; against the curve
    r = |y| cos(θ)^(1/(α − 1)) on which GenSim_α(x, y) = 1 (α ≠ 1)."""
    ny = float(norms(y)[0])
    theta = np.radians(np.linspace(-89.0, 89.0, rays))
    u = y / ny
    directions = np.cos(theta)[:, None] * u + np.sin(theta)[:, None] * perpendicular(u)
    r = ny * np.geomspace(1e-3, 10.0, radii)
    points = (r[None, :, None] * directions[:, None, :]).reshape(-1, 2)
    values = gensim_loss(alpha).value(points, np.broadcast_to(y, points.shape)).reshape(rays, radii)
    found = r[np.argmin(values, axis=1)]
    predicted = ny * np.cos(theta) ** (1.0 / (alpha - 1.0))
    on_curve = predicted[:, None] * directions
    inside = (predicted > r[0]) & (predicted < r[-1])  # where the grid can find it
    return {"max_relative_error": float(np.max(np.abs(found[inside] / predicted[inside] - 1))),
            "rays_compared": int(inside.sum()),
            "max_loss_on_curve": float(np.max(gensim_loss(alpha).value(on_curve, np.broadcast_to(y, on_curve.shape))))}


def observe_gensim_minimum_sets(y: np.ndarray = TARGET, count: int = 2000, seed: int = 8) -> dict:
    """j. GenSim_α(x, y) = 1 says <x|y> = |x|^α |y|^(2−α): in polar form around 0, with θ the
    angle between x and y, r = |y| cos(θ)^(1/(α−1)). α = 0: r = |y| / cos θ, the line through y
    orthogonal to it; α = 1: any r, the ray; α = 2: r = |y| cos θ, the circle through 0 and y
    (centre y/2, Thales). Measured: the minimiser along each ray lies on that curve, for α = 1.5
    and 2 (and 0 and 0.5); at α = 2 the loss is 0 on the circle and at least 1 wherever
    <x|y> <= 0 (GenSim_2 <= 0 there), so the half-plane behind 0 holds no minimiser."""
    result = {f"alpha_{a:g}": minimiser_along_rays(a, y) for a in (0.0, 0.5, 1.5, 2.0)}
    ny = float(norms(y)[0])
    on_circle = circle(y / 2, ny / 2, 64)
    loss = gensim_loss(2.0)
    result["alpha_2_max_loss_on_circle"] = float(np.max(loss.value(on_circle, np.broadcast_to(y, on_circle.shape))))
    x = np.random.default_rng(seed).normal(size=(count, 2))
    behind = x[x @ y[0] <= 0]
    result["alpha_2_min_loss_behind"] = float(np.min(loss.value(behind, np.broadcast_to(y, behind.shape))))
    return result


def observe_drag_x_for_dot(y_lengths: tuple = (0.1, 0.3, 1.0, 2.0), seed: int = 9, count: int = 2000) -> dict:
    """k. The figure's drag-x mode: x fixed, the field −∇_y L over targets y. For 1 − DotSim, on
    the ray y = t x̂ the field is −x / t²: it points to 0, and its size |x| / t² explodes as the
    target shrinks (a short y makes DotSim = <x|y>/|y|² large). MSE(1, DotSim) = GenSim_0 loss,
    and GenSim_0(x, y) = GenSim_2(y, x): over y its minimum set is the α = 2 circle, now
    through 0 and x."""
    x = TARGET
    u = x / norms(x)[0]
    t = np.array(y_lengths)[:, None]
    field = -get_loss("dot").dL_dy(np.repeat(x, len(t), axis=0), t * u)
    cosine_to_origin = np.sum(field * -u, axis=1) / norms(field)
    a, b = random_pairs(seed, count, 2)
    swap = np.abs(gensim_loss(0.0).value(a, b) - gensim_loss(2.0).value(b, a))
    return {"y_lengths": list(y_lengths), "dot_min_cosine_to_origin": float(cosine_to_origin.min()),
            "dot_max_relative_error_size_vs_x_over_t2": float(np.max(np.abs(norms(field) * t[:, 0] ** 2 / norms(x)[0] - 1))),
            "dot_size_ratio_shortest_over_longest": float(norms(field)[0] / norms(field)[-1]),
            "mse_dot_vs_gensim_2_swapped": float(swap.max())}


OBSERVATIONS = {
    "a_cos_field_ignores_y_length": observe_cos_field_ignores_y_length,
    "b_cos_field_grows_like_one_over_x": observe_cos_field_grows_like_one_over_x,
    "c_cos_flow_keeps_norm": observe_cos_flow_keeps_norm,
    "d_dot_ignores_orthogonal_part": observe_dot_ignores_orthogonal_part,
    "e_dot_rewards_length_mismatch": observe_dot_rewards_length_mismatch,
    "f_single_minimum": observe_single_minimum,
    "g_log_overshoots": observe_log_overshoots,
    "h_gensim_special_cases": observe_gensim_special_cases,
    "i_dot_field_and_its_normalised_variant": observe_dot_field_and_its_normalised_variant,
    "j_gensim_minimum_sets": observe_gensim_minimum_sets,
    "k_drag_x_for_dot": observe_drag_x_for_dot,
}


def measure() -> dict:
    return {name: observe() for name, observe in OBSERVATIONS.items()}



# --- The claims ------------------------------------------------------------------------


def _f_values(m: dict) -> dict:
    f = m["f_single_minimum"]
    out = {}
    for key in ("sumsim", "cos_mse"):
        out |= {f"{key}_max_argmin_distance_in_cells": f[key]["max_argmin_distance_in_cells"],
                f"{key}_strict_local_minima": f[key]["strict_local_minima"],
                f"{key}_max_final_distance": f[key]["max_final_distance"],
                f"{key}_min_off_y": f["off_y"][key]}
    for key in ("cos", "mse_dot"):
        out |= {f"{key}_max_final_loss": max(f[key]["descent_max_final_loss"]),
                f"{key}_min_final_distance_of_farthest_start": min(f[key]["descent_max_final_distance"]),
                f"{key}_min_argmin_distance_in_cells": min(f[key]["argmin_distance_in_cells"])}
    for name in ("cos_on_ray", "mse_dot_on_line"):
        out |= {f"{name}_max_abs_value": f[name]["max_abs_value"], f"{name}_max_grad_norm": f[name]["max_grad_norm"]}
    return out


def _f_holds(v: dict) -> bool:
    return (all(v[f"{k}_max_argmin_distance_in_cells"] <= 1.0 and v[f"{k}_strict_local_minima"] == [1, 1, 1]
                and v[f"{k}_max_final_distance"] < 1e-3 and v[f"{k}_min_off_y"] > 1e-3 for k in ("sumsim", "cos_mse"))
            and all(v[f"{k}_max_final_loss"] < 1e-9 and v[f"{k}_min_final_distance_of_farthest_start"] > 0.5
                    and v[f"{k}_min_argmin_distance_in_cells"] > 10 for k in ("cos", "mse_dot"))
            and all(v[f"{n}_max_abs_value"] < 1e-12 and v[f"{n}_max_grad_norm"] < 1e-12
                    for n in ("cos_on_ray", "mse_dot_on_line")))


def _g_values(m: dict) -> dict:
    g = m["g_log_overshoots"]
    return {"mse_max_crossings": g["mse"]["max_crossings"], "mse_max_final_distance": max(g["mse"]["final_distance"]),
            "log_mse_min_crossings": g["log_mse"]["min_crossings"],
            "log_mse_median_final_distance": g["log_mse"]["median_final_distance"],
            "log_mse_min_closest_approach": g["log_mse"]["min_closest_approach"],
            "cos_max_angle_crossings": max(g["cos"]["angle_crossings"]),
            "log_cos_share_of_starts_turning_past_y": sum(c > 0 for c in g["log_cos"]["angle_crossings"])
            / len(g["log_cos"]["angle_crossings"]),
            "cos_max_final_norm": max(g["cos"]["final_norm"]), "log_cos_max_final_norm": max(g["log_cos"]["final_norm"]),
            "start_radius": g["start_radius"]}


CLAIMS: list[Claim] = [
    Claim("a_cos_field_ignores_y_length",
          "Scaling y by a positive factor leaves the gradient of 1 − CosSim unchanged up to rounding; "
          "the same measure on 1 − DotSim sees a relative change above 1.",
          lambda m: {"cos": m["a_cos_field_ignores_y_length"]["cos_max_relative_difference"],
                     "dot": m["a_cos_field_ignores_y_length"]["dot_max_relative_difference"]},
          lambda v: v["cos"] < 1e-9 and v["dot"] > 1.0),
    Claim("b_cos_field_grows_like_one_over_x",
          "Along a ray, |∇x(1 − CosSim)|·|x| is constant, so the gradient at |x| = 10⁻³ is 10⁴ times "
          "the one at |x| = 10; where x points exactly away from y the gradient vanishes.",
          lambda m: {k: m["b_cos_field_grows_like_one_over_x"][k] for k in (
              "max_relative_spread_of_grad_norm_times_norm_x", "grad_norm_ratio_smallest_over_largest_t",
              "max_grad_norm_antiparallel")},
          lambda v: (v["max_relative_spread_of_grad_norm_times_norm_x"] < 1e-9
                     and abs(v["grad_norm_ratio_smallest_over_largest_t"] - 1e4) <= 1e-6 * 1e4
                     and v["max_grad_norm_antiparallel"] < 1e-12)),
    Claim("c_cos_flow_keeps_norm_but_steps_grow_it",
          "The gradient of 1 − CosSim is orthogonal to x, so the flow keeps |x|; but every finite step "
          "lengthens x by sqrt(1 + η²|g|²/|x|²), |x| never shrinks along a path, and over 100 steps of "
          "η = 0.1 it grows by more than 5 % on some path.",
          lambda m: {k: m["c_cos_flow_keeps_norm"][k] for k in (
              "max_abs_cosine_x_grad", "min_first_step_relative_growth", "first_step_max_relative_error_vs_formula",
              "min_relative_growth_per_step", "max_relative_growth_over_descent")}
          | {"min_relative_growth_over_descent": min(m["c_cos_flow_keeps_norm"]["relative_growth_over_descent"])},
          lambda v: (v["max_abs_cosine_x_grad"] < 1e-10 and v["min_first_step_relative_growth"] > 1e-5
                     and v["first_step_max_relative_error_vs_formula"] < 1e-9
                     and v["min_relative_growth_per_step"] >= 0.0 and v["min_relative_growth_over_descent"] > 0.0
                     and v["max_relative_growth_over_descent"] > 0.05)),
    Claim("d_dot_ignores_orthogonal_part",
          "Adding to x a vector orthogonal to y changes DotSim only by rounding, and its gradient has no "
          "part orthogonal to y; the same change moves CosSim by more than 0.1.",
          lambda m: {k: m["d_dot_ignores_orthogonal_part"][k] for k in (
              "dot_max_abs_change", "dot_grad_max_orthogonal_fraction", "cos_max_abs_change")},
          lambda v: (v["dot_max_abs_change"] < 1e-12 and v["dot_grad_max_orthogonal_fraction"] < 1e-12
                     and v["cos_max_abs_change"] > 0.1)),
    Claim("e_dot_rewards_length_mismatch",
          "Along x = t y, 1 − DotSim falls over all of [0, 5], below 0 just past t = 1, down to −4; "
          "MSE(1, DotSim) is minimal (0) at t = 1 and 16 at t = 5.",
          lambda m: {k: m["e_dot_rewards_length_mismatch"][k] for k in (
              "dot_max_increment", "dot_first_t_below_0", "dot_at_t_5", "mse_dot_argmin_t", "mse_dot_min",
              "mse_dot_at_t_5")},
          lambda v: (v["dot_max_increment"] < 0 and 1.0 < v["dot_first_t_below_0"] <= 1.02
                     and abs(v["dot_at_t_5"] + 4.0) <= 4e-9 and abs(v["mse_dot_argmin_t"] - 1.0) <= 0.01
                     and v["mse_dot_min"] < 1e-12 and abs(v["mse_dot_at_t_5"] - 16.0) <= 16e-9)),
    Claim("f_single_minimum",
          "SumSim and 1 − CosSim + MSE have their grid minimum within a cell of y, a single strict local "
          "minimum, descent ends at y, and on the ray and the line that minimise their parts they are "
          "positive at a distance of 0.1 from y; 1 − CosSim alone and MSE(1, DotSim) alone are 0 (value and "
          "gradient) on that ray and that line, and descent on them stops wherever it meets it.",
          _f_values, _f_holds),
    Claim("g_log_overshoots",
          "With the same steps from the same 8 starts, descent on MSE never passes the target and ends "
          "near it; descent on log MSE passes it on every path, comes within 0.05 and still ends far away. "
          "On the angle, 1 − CosSim never turns past y, its log turns past y on half the paths or more "
          "and flings x beyond twice its starting length.",
          _g_values,
          lambda v: (v["mse_max_crossings"] == 0 and v["mse_max_final_distance"] < 1e-4
                     and v["log_mse_min_crossings"] >= 1 and v["log_mse_median_final_distance"] > 0.1
                     and v["log_mse_min_closest_approach"] < 0.05 and v["cos_max_angle_crossings"] == 0
                     and v["log_cos_share_of_starts_turning_past_y"] >= 0.5
                     and v["cos_max_final_norm"] < 1.1 * v["start_radius"]
                     and v["log_cos_max_final_norm"] > 2 * v["start_radius"])),
    Claim("h_gensim_special_cases",
          "GenSim at α = 1 is CosSim and at α = 0 is DotSim; so the GenSim loss is MSE(1, DotSim) at α = 0 "
          "and (1 − CosSim)² at α = 1, gradients included, up to rounding.",
          lambda m: dict(m["h_gensim_special_cases"]),
          lambda v: (v["sim_alpha_1_vs_cos"] < 1e-12 and v["sim_alpha_0_vs_dot"] < 1e-12
                     and v["loss_alpha_0_vs_mse_dot"] < 1e-10 and v["grad_alpha_0_vs_mse_dot"] < 1e-9
                     and v["grad_alpha_1_vs_cos_squared"] < 1e-10)),
    Claim("i_dot_field_and_its_normalised_variant",
          "|∇x(1 − DotSim)| is exactly 1/|y|, and the x-gradient of MSE(|y|, DotSim') is MSE's gradient "
          "projected onto y, up to rounding.",
          lambda m: dict(m["i_dot_field_and_its_normalised_variant"]),
          lambda v: (v["dot_max_relative_error_grad_norm_vs_one_over_norm_y"] < 1e-12
                     and v["mse_dot_norm_max_relative_difference_vs_projected_mse_grad"] < 1e-9)),
    Claim("j_gensim_minimum_sets",
          "The GenSim loss is lowest, along every ray from 0 within 90° of y, on the curve "
          "r = |y| cos(θ)^(1/(α − 1)) (within the search grid's 0.05 % at α = 0, 0.5, 1.5 and 2): at α = 2 "
          "the circle through 0 and y, where the loss is 0, while behind 0 (<x|y> <= 0) it is at least 1.",
          lambda m: {**{f"{a}.{k}": v for a, r in m["j_gensim_minimum_sets"].items() if isinstance(r, dict)
                        for k, v in r.items()},
                     "alpha_2_max_loss_on_circle": m["j_gensim_minimum_sets"]["alpha_2_max_loss_on_circle"],
                     "alpha_2_min_loss_behind": m["j_gensim_minimum_sets"]["alpha_2_min_loss_behind"]},
          lambda v: (all(v[f"{a}.max_relative_error"] < 5e-4 and v[f"{a}.max_loss_on_curve"] < 1e-20
                         and v[f"{a}.rays_compared"] >= 100 for a in ("alpha_0", "alpha_0.5", "alpha_1.5", "alpha_2"))
                     and v["alpha_2_max_loss_on_circle"] < 1e-12 and v["alpha_2_min_loss_behind"] >= 1.0)),
    Claim("k_drag_x_for_dot",
          "Dragging x, the field −∇_y(1 − DotSim) on the ray through x points to 0 with size |x|/|y|², up to "
          "rounding; and MSE(1, DotSim) with x and y swapped is the GenSim loss at α = 2.",
          lambda m: {k: v for k, v in m["k_drag_x_for_dot"].items() if k != "y_lengths"},
          lambda v: (v["dot_min_cosine_to_origin"] > 1 - 1e-12 and v["dot_max_relative_error_size_vs_x_over_t2"] < 1e-12
                     and v["dot_size_ratio_shortest_over_longest"] > 399 and v["mse_dot_vs_gensim_2_swapped"] < 1e-10)),
]
