"""The weight penalty: by hand, the forms the help states checked against PyTorch, and shown beside the
(data) loss on the Playground."""
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mlp.run.config import Config
from mlp.engine.network import MLP
from mlp.engine.penalty import weight_penalty
from mlp.run.trainer import Trainer
from tests.browser import require_torch

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.mark.parametrize("regularization, expected", [("l2", 0.5 * 0.1 * (1 + 4 + 9)), ("l1", 0.1 * (1 + 2 + 3)),
                                                      ("none", 0.0)])
def test_the_penalty_is_the_objectives_by_hand_weights_only(regularization, expected):
    net = MLP([1, 2, 1], activation="relu", output="linear", dtype="float64")
    net.weights[0][...] = [[1.0, -2.0]]
    net.weights[1][...] = [[3.0], [0.0]]
    net.biases[0][...] = [100.0, 100.0]                                  # biases are exempt
    assert weight_penalty(net, regularization, 0.1) == pytest.approx(expected)


def test_momentum_and_l2_are_the_forms_the_help_states_as_pytorch_writes_them():
    """v = βv + g, w -= lr·v with g = ∇(mean data loss) + λW (weights only): three steps of the engine against
    torch.optim.SGD(momentum=β, dampening=0, weight_decay=λ on the weights' group, 0 on the biases')."""
    torch = require_torch()
    config = Config(dataset="xor", hidden=(5,), activation="tanh", output="sigmoid", optimizer="momentum",
                    momentum=0.9, lr=0.1, regularization="l2", reg_rate=0.01, batch_size=500, n_samples=40)
    trainer = Trainer(config, dtype="float64")
    net = trainer.net
    Ws = [torch.tensor(W.copy(), requires_grad=True) for W in net.weights]
    bs = [torch.tensor(b.copy(), requires_grad=True) for b in net.biases]
    opt = torch.optim.SGD([{"params": Ws, "weight_decay": 0.01}, {"params": bs, "weight_decay": 0.0}],
                          lr=0.1, momentum=0.9)
    X, Y = torch.tensor(trainer.X_train), torch.tensor(trainer.Y_train)
    for _ in range(3):
        opt.zero_grad()
        a = torch.tanh(X @ Ws[0] + bs[0])
        p = torch.sigmoid(a @ Ws[1] + bs[1])
        loss = torch.nn.functional.binary_cross_entropy(p, Y)
        loss.backward()
        opt.step()
    trainer.run(3)
    for mine, theirs in zip(net.weights + net.biases, Ws + bs):
        np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=1e-6, atol=1e-9)


def test_the_playground_shows_the_penalty_beside_the_data_loss():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["regularization"] = "l2"
    at.query_params["reg_rate"] = "0.1"
    at.run()
    assert not at.exception
    net = at.session_state["run"].trainer.net
    expected = 0.05 * float(np.sum(net.params[:net.n_weights].astype(np.float64) ** 2))
    (caption,) = [c.value for c in at.caption if "penalty" in c.value]
    assert "data loss alone" in caption and f"is {expected:.3g} now" in caption
