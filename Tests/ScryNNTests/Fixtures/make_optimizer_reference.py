#!/usr/bin/env python3
"""Writes optimizer_reference.json: parameters after 10 steps of each PyTorch optimizer on a
fixed least-squares problem (w [3, 4], b [4]; loss = mean((x·w + b − y)²))."""
import json

import numpy as np
import torch

torch.manual_seed(2)
x, y = torch.randn(8, 3), torch.randn(8, 4)
w0, b0 = torch.randn(3, 4), torch.randn(4)


def t(a):
    a = a.detach().numpy()
    return {"shape": list(a.shape), "data": [float(str(np.float32(v))) for v in a.ravel()]}


configs = [
    ("sgd", dict(lr=0.1)),
    ("sgd", dict(lr=0.05, momentum=0.9)),
    ("sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("sgd", dict(lr=0.05, momentum=0.5, dampening=0.3)),
    ("adam", dict(lr=0.01)),
    ("adam", dict(lr=0.02, betas=(0.8, 0.99), weight_decay=0.1)),
    ("adamw", dict(lr=0.01)),
    ("rmsprop", dict(lr=0.01)),
    ("rmsprop", dict(lr=0.01, momentum=0.9, alpha=0.9)),
    ("adagrad", dict(lr=0.1)),
    ("adamax", dict(lr=0.02)),
    ("nadam", dict(lr=0.02)),
    ("radam", dict(lr=0.05)),
    ("adadelta", dict(lr=1.0)),
    ("rprop", dict(lr=0.01)),
    ("asgd", dict(lr=0.05, t0=3)),
]
classes = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad, "adamax": torch.optim.Adamax,
           "nadam": torch.optim.NAdam, "radam": torch.optim.RAdam, "adadelta": torch.optim.Adadelta,
           "rprop": torch.optim.Rprop, "asgd": torch.optim.ASGD}
cases = []
for kind, options in configs:
    w, b = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
    optimizer = classes[kind]([w, b], **options)
    for _ in range(10):
        optimizer.zero_grad()
        ((x @ w + b - y) ** 2).mean().backward()
        optimizer.step()
    cases.append({"kind": kind, "options": {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()},
                  "w": t(w), "b": t(b)})
# Gradient clipping on fixed gradients.
clips = []
for max_norm, norm_type in [(0.5, 2.0), (10.0, 2.0), (0.3, 1.0), (0.2, float("inf"))]:
    a, b = torch.zeros(3, 4, requires_grad=True), torch.zeros(4, requires_grad=True)
    a.grad, b.grad = w0.clone(), b0.clone()
    total = torch.nn.utils.clip_grad_norm_([a, b], max_norm, norm_type=norm_type)
    clips.append({"max_norm": max_norm, "norm_type": "inf" if norm_type == float("inf") else norm_type,
                  "norm": float(total), "w": t(a.grad), "b": t(b.grad)})
json.dump({"torch": torch.__version__, "x": t(x), "y": t(y), "w0": t(w0), "b0": t(b0), "cases": cases, "clips": clips},
          open("optimizer_reference.json", "w"), separators=(",", ":"))
print(len(cases), "cases")
