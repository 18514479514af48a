r"""S networks of one shape trained side by side: the batched engine of the training chapters.

Layer k holds :math:`W_k` of shape (S, fan_in, fan_out) and :math:`b_k` of shape
(S, fan_out), one slice per network, and every product is a batched matmul. The
forward and backward passes are those of :mod:`jacobiator.nn`, written with a
leading network axis:

.. math::

    z_k = a_{k-1} W_k + b_k, \quad a_k = \sigma(z_k), \qquad
    \frac{\partial L}{\partial W_k} = a_{k-1}^\top \frac{\partial L}{\partial z_k}, \quad
    \frac{\partial L}{\partial z_{k-1}} = \frac{\partial L}{\partial z_k} W_k^\top \odot \sigma'(z_{k-1}).

Each network's loss is its own mean, so the networks never mix: slice s is
exactly the network that :func:`jacobiator.nn.train` trains from
``init_mlp(sizes, key, default_rng(seed_s))``.

The backward pass takes :class:`Hooks`, the three places where the destroy
chapter changes it on purpose (:mod:`jacobiator.destroy`); by default they
change nothing.

Three standard cures for deep plain nets are options of each network, off by
default (then the passes are exactly those above):

- an initialisation gain g: every weight matrix drawn as g times the default;
- normalisation: each hidden pre-activation is centred and scaled over its
  layer's units, point by point, before the activation (layer norm with no
  learned parameters), :math:`u_k = (z_k - \bar z_k) / \sqrt{\operatorname{var} z_k + \epsilon}`;
- residual connections: a hidden layer whose input has its width adds it to
  its output, :math:`a_k = a_{k-1} + \sigma(u_k)`.
"""

import itertools
from dataclasses import dataclass

import numpy as np

from . import nn
from .activations import Activation, get_activation

Array = np.ndarray


@dataclass
class Nets:
    """S networks of one shape: ``weights[k]`` is (S, fan_in, fan_out), ``biases[k]`` (S, fan_out).

    All parameters of a network live in one row of ``flat`` (S, P); the weights and
    biases are views into it, so an optimiser updates every parameter in a few array operations.
    ``norm`` and ``residual`` (S,) say which networks normalise their hidden pre-activations
    and which add skip connections (see the module's docstring)."""

    flat: Array
    weights: list[Array]
    biases: list[Array]
    activation: Activation
    norm: Array = None
    residual: Array = None

    def __post_init__(self):
        for name in ("norm", "residual"):
            value = getattr(self, name)
            flags = np.zeros(self.count, dtype=bool) if value is None else per_network(value, self.count, name)
            setattr(self, name, flags.astype(bool))

    @property
    def count(self) -> int:
        return self.flat.shape[0]


def per_network(value, count: int, name: str) -> Array:
    """One value for every network, or one per network: always (count,)."""
    value = np.asarray(value)
    if value.ndim == 0:
        return np.full(count, value)
    if value.shape != (count,):
        raise ValueError(f"{name} must be one value or one per network ({count}), got {value.tolist()!r}")
    return value


def init_nets(sizes: list[int], activation: str, seeds: list[int], gain=1.0, norm=False, residual=False) -> Nets:
    """One :func:`jacobiator.nn.init_mlp` per seed, stacked along a leading axis; every weight of
    network s scaled by ``gain`` (one for all, or one per seed), which leaves g = 1 bit for bit."""
    mlps = [nn.init_mlp(sizes, activation, np.random.default_rng(s)) for s in seeds]
    flat = np.stack([np.concatenate([p.ravel() for p in nn.parameters(m)]) for m in mlps])
    gain = per_network(np.asarray(gain, dtype=float), len(seeds), "gain")
    if not np.all(gain > 0):
        raise ValueError(f"the initialisation gain must be positive, got {gain.tolist()!r}")
    weights, biases, at = [], [], 0
    for m, n in itertools.pairwise(sizes):
        weights.append(flat[:, at:at + m * n].reshape(len(seeds), m, n))
        biases.append(flat[:, at + m * n:at + m * n + n])
        at += m * n + n
    if np.any(gain != 1.0):
        for w in weights:
            w *= gain[:, None, None]  # in place: the weights are views into flat
    return Nets(flat, weights, biases, get_activation(activation), norm, residual)


def unstack(nets: Nets, s: int) -> nn.MLP:
    """Network s of the batch as a plain :class:`jacobiator.nn.MLP` (copies); a plain MLP has
    neither normalisation nor skip connections."""
    if nets.norm[s] or nets.residual[s]:
        raise ValueError(f"network {s} normalises or has skip connections: a plain MLP cannot hold it")
    return nn.MLP([w[s].copy() for w in nets.weights], [b[s].copy() for b in nets.biases], nets.activation)


NORM_EPS = 1e-5  # keeps a layer whose units all agree finite; the usual layer-norm value


@dataclass
class Layer:
    r"""What layer k's backward pass needs from its forward pass: its input :math:`a_{k-1}`, the
    activation's input :math:`u_k` (:math:`z_k`, or :math:`z_k` normalised), and for the normalised
    networks :math:`1/\sqrt{\operatorname{var} z_k + \epsilon}` (S, N, 1), else None."""

    a_prev: Array
    u: Array
    inv_std: Array | None = None


def normalise(z: Array) -> tuple[Array, Array]:
    """Each point's pre-activations centred and scaled over the layer's units (last axis)."""
    centred = z - z.mean(axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt(np.mean(centred**2, axis=-1, keepdims=True) + NORM_EPS)
    return centred * inv_std, inv_std


def normalise_backward(dL_du: Array, u: Array, inv_std: Array) -> Array:
    r"""The gradient through :func:`normalise`:
    :math:`\partial L/\partial z = s\,(g - \bar g - u\,\overline{g u})` with g = ∂L/∂u and s = 1/std."""
    return inv_std * (dL_du - dL_du.mean(axis=-1, keepdims=True) - u * np.mean(dL_du * u, axis=-1, keepdims=True))


def _mask(flags: Array) -> Array:
    return flags[:, None, None]  # (S,) against (S, N, units)


def forward(nets: Nets, x: Array) -> tuple[Array, list[Layer]]:
    r"""Outputs (S, N, 1) for the shared batch ``x`` (N, fan_in) and per layer what its backward pass
    needs; :math:`z_k = a_{k-1} W_k + b_k` for every network at once."""
    cache = []
    a = x
    last = len(nets.weights) - 1
    any_norm = bool(nets.norm.any())
    for k, (w, b) in enumerate(zip(nets.weights, nets.biases)):
        z = a @ w + b[:, None, :]  # (N, m) @ (S, m, n) broadcasts to (S, N, n)
        if k == last:
            cache.append(Layer(a, z))
            a = z
            continue
        layer = Layer(a, z)
        if any_norm:
            u, inv_std = normalise(z)
            layer.u, layer.inv_std = np.where(_mask(nets.norm), u, z), inv_std
        cache.append(layer)
        out = nets.activation.fn(layer.u)
        a = out + _mask(nets.residual) * a if skips(nets, k) else out
    return a, cache


def skips(nets: Nets, k: int) -> bool:
    """Whether any network adds a skip connection around hidden layer k (only where the widths agree)."""
    w = nets.weights[k]
    return k < len(nets.weights) - 1 and w.shape[1] == w.shape[2] and bool(nets.residual.any())


def predict(nets: Nets, x: Array) -> Array:
    return forward(nets, x)[0]


class Hooks:
    r"""The three pieces of layer k's backward pass, each passed through a method that may change it:
    ``grad`` gets :math:`\partial L/\partial W_k`, then :math:`\partial L/\partial b_k` (used for
    layer k's update only); ``theta`` the weights :math:`W_k` as the backward pass uses them;
    ``dL_da`` the gradient :math:`\partial L/\partial a_{k-1}` passed on to the earlier layers;
    ``slope`` gives the activation's derivative :math:`\sigma'(z_k)` that the backward pass multiplies by.
    These return what they get: the true backward pass."""

    def grad(self, k: int, g: Array) -> Array:
        return g

    def theta(self, k: int, w: Array) -> Array:
        return w

    def dL_da(self, k: int, g: Array) -> Array:
        return g

    def slope(self, k: int, activation: Activation, z: Array) -> Array:
        return activation.grad(z)


IDENTITY = Hooks()


def backward(nets: Nets, cache: list[Layer], dL_dout: Array,
             hooks: Hooks = IDENTITY) -> list[tuple[Array, Array]]:
    r"""Per layer :math:`(\partial L/\partial W_k, \partial L/\partial b_k)`, each with the network axis
    first, as ``hooks`` change the pieces of the chain rule (layer by layer from the top; within a
    layer in the order ∇W, ∇b, θ, ∇a, σ', which is the order a hook's random draws happen in).
    A skip connection adds the gradient at a layer's output to the one passed on below it; the
    ``dL_da`` hook sees the sum, the whole gradient that reaches the earlier layers."""
    grads = []
    dL_dz = dL_dout
    for k in range(len(nets.weights) - 1, -1, -1):
        a_prev = cache[k].a_prev
        grads.append((hooks.grad(k, np.swapaxes(a_prev, -1, -2) @ dL_dz), hooks.grad(k, dL_dz.sum(axis=-2))))
        if k > 0:
            theta = hooks.theta(k, nets.weights[k])
            through = dL_dz @ np.swapaxes(theta, -1, -2)
            if skips(nets, k):  # a_k = a_{k-1} + σ(u_k): the skip passes ∂L/∂a_k on unchanged
                through = through + _mask(nets.residual) * dL_da_above
            dL_da = hooks.dL_da(k, through)
            below = cache[k - 1]
            dL_dz = dL_da * hooks.slope(k - 1, nets.activation, below.u)
            if below.inv_std is not None:
                dL_dz = np.where(_mask(nets.norm), normalise_backward(dL_dz, below.u, below.inv_std), dL_dz)
            dL_da_above = dL_da
    return grads[::-1]


# Objectives and the metric -----------------------------------------------------------


def mse(out: Array, target: Array) -> tuple[Array, Array]:
    r"""Per network :math:`\frac{1}{N}\sum (o - t)^2` (S,) and its gradient w.r.t. the outputs."""
    diff = out - target
    n = diff.shape[-2] * diff.shape[-1]
    return np.mean(diff**2, axis=(-2, -1)), 2.0 * diff / n


def logistic(logit: Array, label: Array) -> tuple[Array, Array]:
    r"""Per network the mean of :math:`\log(1 + e^{o}) - t\,o` (S,); gradient :math:`(\sigma(o) - t)/N`."""
    loss = np.logaddexp(0.0, logit) - label * logit
    n = logit.shape[-2] * logit.shape[-1]
    return np.mean(loss, axis=(-2, -1)), (0.5 * (1.0 + np.tanh(0.5 * logit)) - label) / n


OBJECTIVES = {"mse": mse, "logistic": logistic}


def accuracy(logit: Array, label: Array) -> Array:
    """Per network the share of points where ``logit > 0`` agrees with the label (S,)."""
    return np.mean((logit > 0) == (label > 0.5), axis=(-2, -1))


# Optimisers on the flat (S, P) parameters ------------------------------------------


@dataclass
class Adam:
    """:class:`jacobiator.nn.Adam` for a batch of networks, on their flat (S, P)
    parameters: its own step count per network, so a network whose gradient is not
    finite skips its step alone (as :func:`jacobiator.nn.train_step` skips it)."""

    lr: float | Array  # one step size, or one per network (S, 1)
    seeds: int
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    t: Array = None  # (S, 1) steps taken
    m: Array = None
    v: Array = None

    def __post_init__(self):
        if self.t is None:
            self.t = np.zeros((self.seeds, 1), dtype=int)

    def update(self, flat: Array, grad: Array, ok: Array) -> None:
        """Update the rows of ``flat`` where ``ok`` (S,) holds; the others keep parameters and moments."""
        if self.m is None:
            self.m, self.v = np.zeros_like(flat), np.zeros_like(flat)
        keep = ok[:, None]
        everyone = bool(ok.all())  # the usual case: no masking needed
        self.t = self.t + keep
        c1, c2 = 1 - self.beta1**self.t, 1 - self.beta2**self.t
        g = grad if everyone else np.where(keep, grad, 0.0)
        m = self.m * self.beta1 + (1 - self.beta1) * g
        v = self.v * self.beta2 + (1 - self.beta2) * g * g
        self.m = m if everyone else np.where(keep, m, self.m)
        self.v = v if everyone else np.where(keep, v, self.v)
        # A network that never stepped has c1 = 0: its update is masked out anyway.
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = self.lr * (self.m / c1) / (np.sqrt(self.v / c2) + self.eps)
        flat -= delta if everyone else np.where(keep, delta, 0.0)


@dataclass
class SGD:
    r"""Gradient descent on the flat (S, P) parameters, with heavy-ball momentum μ:
    :math:`v \leftarrow \mu v + g`, :math:`\theta \leftarrow \theta - lr\, v`
    (μ = 0: plain gradient descent). A network whose gradient is not finite skips its
    step alone and keeps its velocity."""

    lr: float | Array  # one step size, or one per network (S, 1)
    momentum: float = 0.0
    velocity: Array = None  # (S, P), from the first step with momentum

    def update(self, flat: Array, grad: Array, ok: Array) -> None:
        keep = ok[:, None]
        g = np.where(keep, grad, 0.0)
        if self.momentum:
            if self.velocity is None:
                self.velocity = np.zeros_like(flat)
            self.velocity = np.where(keep, self.momentum * self.velocity + g, self.velocity)
            g = np.where(keep, self.velocity, 0.0)
        flat -= self.lr * g


MOMENTUM = 0.9  # the usual heavy-ball coefficient
OPTIMIZERS = ("adam", "sgd", "momentum")


def optimizer(key: str, lr: float | Array, seeds: int) -> Adam | SGD:
    """The optimiser named ``key`` (one of :data:`OPTIMIZERS`) for ``seeds`` networks; ``lr`` is one
    step size for all, or one per network (so a search over step sizes trains as one batch)."""
    if np.ndim(lr):
        lr = np.asarray(lr, dtype=float)
        if lr.shape != (seeds,) or not np.all(lr > 0):
            raise ValueError(f"per-network step sizes must be {seeds} positive numbers, got {lr.tolist()!r}")
        lr = lr[:, None]
    if key == "adam":
        return Adam(lr, seeds)
    if key == "sgd":
        return SGD(lr)
    if key == "momentum":
        return SGD(lr, MOMENTUM)
    raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {key!r}")


# One training step ---------------------------------------------------------------------


def flat_gradient(nets: Nets, x: Array, target: Array, objective: str,
                  hooks: Hooks = IDENTITY) -> tuple[Array, Array]:
    """The losses (S,) on the full batch and the gradient as ``hooks`` make it, flat (S, P)."""
    out, cache = forward(nets, x)
    loss, dL_dout = OBJECTIVES[objective](out, target)
    s = nets.count
    grad = np.concatenate([g.reshape(s, -1) for wb in backward(nets, cache, dL_dout, hooks) for g in wb], axis=1)
    return loss, grad


def train_step(nets: Nets, opt: Adam | SGD, x: Array, target: Array, objective: str,
               hooks: Hooks = IDENTITY) -> Array:
    """One full-batch step for every network; returns the losses (S,) before it.
    A network with a non-finite gradient skips the step, as in :func:`jacobiator.nn.train_step`."""
    loss, grad = flat_gradient(nets, x, target, objective, hooks)
    opt.update(nets.flat, grad, np.isfinite(grad).all(axis=1))
    return loss
