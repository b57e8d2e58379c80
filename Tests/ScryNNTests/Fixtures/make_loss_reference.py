#!/usr/bin/env python3
"""Writes loss_reference.json: PyTorch's loss values and input gradients on fixed inputs, for
every loss Scry defines as PyTorch does. Run once with torch installed."""
import json

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(1)


def t(a):
    a = a.detach().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
    kind = "int64" if a.dtype.kind == "i" else "float32"
    return {"shape": list(a.shape), "dtype": kind,
            "data": [float(str(np.float32(v))) if kind == "float32" else int(v) for v in a.ravel()]}


cases = []


def case(loss, x, y, fn, **args):
    leaf = x.clone().requires_grad_(True)
    value = fn(leaf, y)
    seed = torch.randn(value.shape) if value.dim() else torch.tensor(1.0)
    value.backward(seed)
    cases.append({"loss": loss, "args": args, "input": t(x), "target": t(y), "seed": t(seed), "value": t(value), "grad": t(leaf.grad)})


logits, labels = torch.randn(4, 3), torch.tensor([0, 2, 1, 2])
seg_logits, seg_labels = torch.randn(2, 3, 4, 5), torch.randint(0, 3, (2, 4, 5))
weights = torch.tensor([0.2, 1.0, 3.0])
case("ce", logits, labels, lambda x, y: F.cross_entropy(x, y))
case("ce", seg_logits, seg_labels, lambda x, y: F.cross_entropy(x, y, weight=weights), weight=weights.tolist())
case("ce", seg_logits, seg_labels, lambda x, y: F.cross_entropy(x, y, ignore_index=1, label_smoothing=0.1), ignore_index=1, label_smoothing=0.1)
case("ce", seg_logits, seg_labels, lambda x, y: F.cross_entropy(x, y, weight=weights, label_smoothing=0.2), weight=weights.tolist(), label_smoothing=0.2)
case("ce", logits, labels, lambda x, y: F.cross_entropy(x, y, reduction="none"), reduction="none")
case("ce", logits, labels, lambda x, y: F.cross_entropy(x, y, reduction="sum"), reduction="sum")
bx, by = torch.randn(3, 4) * 3, torch.rand(3, 4).round()
case("bce_logits", bx, by, lambda x, y: F.binary_cross_entropy_with_logits(x, y))
case("bce_logits", bx, by, lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=torch.tensor([1.0, 2.0, 0.5, 3.0])), pos_weight=[1.0, 2.0, 0.5, 3.0])
rx, ry = torch.randn(3, 5), torch.randn(3, 5)
case("mse", rx, ry, lambda x, y: F.mse_loss(x, y))
case("l1", rx, ry, lambda x, y: F.l1_loss(x, y, reduction="sum"), reduction="sum")
case("smooth_l1", rx * 2, ry, lambda x, y: F.smooth_l1_loss(x, y, beta=0.5), beta=0.5)
p = torch.softmax(torch.randn(3, 4), 1)
p[0, 1] = 0
case("kl_div", torch.log_softmax(torch.randn(3, 4), 1), p, lambda x, y: F.kl_div(x, y, reduction="batchmean"))

json.dump({"torch": torch.__version__, "cases": cases}, open("loss_reference.json", "w"), separators=(",", ":"))
print(len(cases), "cases")
