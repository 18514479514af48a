"""Backpropagation as a chain of VJPs (jacobiator.chain): against finite differences,
and against Jᵀ∇L with the Jacobian formed."""

import numpy as np
import pytest

from jacobiator.activations import ACTIVATIONS, get_activation
from jacobiator.chain import (forward, jacobian, jacobian_cost, jvp_chain, loss, loss_grad, random_chain, vjp_chain,
                              vjp_cost)

# Smooth activations: central differences converge for them at every point.
SMOOTH = [k for k in ("tanh", "sigmoid", "gelu", "silu", "softplus", "zcosz") if k in ACTIVATIONS]
H = 1e-6


def net(key="tanh", depth=2, width=4, seed=0):
    return random_chain(get_activation(key), n_in=3, width=width, depth=depth, n_out=2, seed=seed)


def central(f, x):
    """∂f/∂x by central differences, one column per input."""
    cols = []
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = H
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * H))
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize("key", SMOOTH)
@pytest.mark.parametrize("depth", [1, 3])
def test_the_vjp_chain_is_the_gradient_of_the_loss(key, depth):
    chain, x, y = net(key, depth), np.array([0.3, -0.7, 1.1]), np.array([0.5, -0.2])
    back = vjp_chain(chain, forward(chain, x), loss_grad(forward(chain, x).y_hat, y))
    numeric = central(lambda z: loss(forward(chain, z).y_hat, y), x)
    np.testing.assert_allclose(back.d_x, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("key", SMOOTH)
def test_the_formed_jacobian_matches_finite_differences(key):
    chain, x = net(key), np.array([0.3, -0.7, 1.1])
    numeric = central(lambda z: forward(chain, z).y_hat, x)
    np.testing.assert_allclose(jacobian(chain, forward(chain, x)), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("key", sorted(ACTIVATIONS))
def test_the_vjp_chain_equals_jt_grad_and_the_jvp_chain_equals_jv(key):
    chain = net(key, depth=3, seed=4)
    fwd = forward(chain, np.array([0.9, 0.1, -0.4]))
    g, v = np.array([1.5, -0.5]), np.array([0.2, 1.0, -0.3])
    j = jacobian(chain, fwd)
    assert j.shape == (2, 3)
    np.testing.assert_allclose(vjp_chain(chain, fwd, g).d_x, j.T @ g, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(jvp_chain(chain, fwd, v), j @ v, rtol=1e-12, atol=1e-12)


def test_the_intermediate_vectors_are_the_partial_derivatives():
    chain, x, y = net("tanh", depth=2), np.array([0.3, -0.7, 1.1]), np.array([0.5, -0.2])
    fwd = forward(chain, x)
    back = vjp_chain(chain, fwd, loss_grad(fwd.y_hat, y))
    # ∂L/∂h₂ by perturbing h₂ in the last layer's input alone.
    numeric = central(lambda h: loss(chain.out @ h, y), fwd.post[-1])
    np.testing.assert_allclose(back.d_post[-1], numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(back.d_pre[0], chain.activation.grad(fwd.pre[0]) * back.d_post[0])
    assert [len(d) for d in back.d_pre] == [4, 4]


def test_bad_input_names_the_expected_size():
    with pytest.raises(ValueError, match="vector of 3 numbers"):
        forward(net(), np.zeros(2))


def test_costs_count_multiply_adds():
    # 2 → 3 → 2: the VJP is 2·3 + 3·2 products plus 3 for σ'; forming J costs the 3·2 scaling,
    # one 2×3 by 3×2 product (12) and Jᵀg (4).
    assert vjp_cost([2, 3, 2]) == 6 + 6 + 3
    assert jacobian_cost([2, 3, 2]) == 6 + 12 + 4
    # Square and deep, J costs about H times the VJP.
    wide = [256] * 5
    assert jacobian_cost(wide) > 100 * vjp_cost(wide)


def test_the_figure_shows_the_chain_and_its_check():
    from jacobiator.figures import render

    fig = render("vjp_chain", activation="gelu", depth=3, width=4, x1=-1.2, x2=0.6, jvp=True)
    forward_row, backward_row, jvp_row = [t for t in fig["data"] if t["type"] == "heatmap"]
    assert backward_row["x"][0] == "∂L/∂x" and len(backward_row["x"]) == 2 * 3 + 2
    chain = random_chain(get_activation("gelu"), n_in=2, width=4, depth=3, n_out=2, seed=0)
    fwd = forward(chain, np.array([-1.2, 0.6]))
    expected = jacobian(chain, fwd).T @ (fwd.y_hat - np.array([0.5, -0.5]))
    shown = [row[0] for row in backward_row["z"][:2]]  # the ∂L/∂x column, as drawn (4 digits)
    np.testing.assert_allclose(shown, expected, atol=1e-4)
    np.testing.assert_allclose([row[-1] for row in jvp_row["z"][:2]], jacobian(chain, fwd)[:, 0], atol=1e-4)
    assert "equal to rounding" in fig["layout"]["annotations"][0]["text"]


def test_with_relu_a_unit_that_is_off_zeroes_its_entry_of_the_backward_pass():
    # The text's preset: ReLU at the page's input. Where z < 0, ∂L/∂z is 0 whatever arrives from above.
    from jacobiator.figures import render

    forward_row, backward_row = [t for t in render("vjp_chain", activation="relu")["data"] if t["type"] == "heatmap"]
    z1 = [row[1] for row in forward_row["z"]]
    d_z1 = [row[1] for row in backward_row["z"]]
    off = [i for i, z in enumerate(z1) if z is not None and z < 0]
    assert off, "the page's input should switch a ReLU unit off"
    assert all(d_z1[i] == 0 for i in off)
    assert any(d != 0 for i, d in enumerate(d_z1) if i not in off and d is not None)


def test_deeper_and_wider_relu_chains_carry_more_zeros_back():
    # The text's second preset: "deeper, such zeros pile up".
    from jacobiator.figures import render

    def zeros(**params):
        backward = [t for t in render("vjp_chain", activation="relu", **params)["data"] if t["type"] == "heatmap"][1]
        return sum(1 for row in backward["z"] for value in row if value == 0)

    assert zeros(depth=3, width=5) > zeros()
