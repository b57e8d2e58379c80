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
]
classes = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}
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
json.dump({"torch": torch.__version__, "x": t(x), "y": t(y), "w0": t(w0), "b0": t(b0), "cases": cases},
          open("optimizer_reference.json", "w"), separators=(",", ":"))
print(len(cases), "cases")
