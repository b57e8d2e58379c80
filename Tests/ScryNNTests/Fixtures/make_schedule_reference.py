#!/usr/bin/env python3
"""Writes schedule_reference.json: the learning rate PyTorch's schedulers give at each of 50
steps (base rate 0.1), and for reduce-on-plateau the metric fed at each step."""
import json
import math

import torch
from monai.optimizers import WarmupCosineSchedule

configs = [
    ("step", dict(step_size=7, gamma=0.5)),
    ("multistep", dict(milestones=[5, 20, 30], gamma=0.3)),
    ("exponential", dict(gamma=0.95)),
    ("cosineannealing", dict(T_max=20, eta_min=0.001)),
    ("cosineannealing_warmrestarts", dict(T_0=8, T_mult=2, eta_min=0.0)),
    ("triangular", dict(base_lr=0.01, max_lr=0.1, step_size_up=5, mode="triangular")),
    ("triangular2", dict(base_lr=0.01, max_lr=0.1, step_size_up=4, mode="triangular2")),
    ("exp_range", dict(base_lr=0.01, max_lr=0.1, step_size_up=5, mode="exp_range", gamma=0.97)),
    ("reduce_on_plateau", dict(mode="min", factor=0.5, patience=3, threshold=1e-4, cooldown=1, min_lr=0.005)),
    ("triangle", dict(step_size=6, min_lr=0.001, max_lr=1.0)),
    ("triangle_modified", dict(step_size=10, min_lr=1e-6, max_lr=1e-3)),
    ("warmupcosine", dict(warmup_steps=10, t_total=40, end_lr=0.002)),
]


def triangle(step_size, min_lr, max_lr):
    """GaNDLF's "triangle" factor, restated from its definition."""
    def factor(it):
        cycle = math.floor(1 + it / (2 * step_size))
        x = abs(it / step_size - 2 * cycle + 1)
        return max_lr - (max_lr - min_lr) * max(0, 1 - x)
    return factor


def triangle_modified(step_size, min_lr, max_lr):
    """GaNDLF's "triangle_modified" factor, restated from its definition."""
    def factor(it):
        distance = 2 * abs(it % step_size - step_size / 2.0) / step_size
        return distance + min_lr / max_lr * (1 - distance)
    return factor
metrics = [1.0 / (1 + i) if i < 10 else 0.1 + 0.001 * ((i * 7) % 5) for i in range(50)]
cases = []
for kind, options in configs:
    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=0.1, momentum=0.9)
    if kind == "step": s = torch.optim.lr_scheduler.StepLR(optimizer, **options)
    elif kind == "multistep": s = torch.optim.lr_scheduler.MultiStepLR(optimizer, **options)
    elif kind == "exponential": s = torch.optim.lr_scheduler.ExponentialLR(optimizer, **options)
    elif kind == "cosineannealing": s = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, **options)
    elif kind == "cosineannealing_warmrestarts": s = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, **options)
    elif kind == "reduce_on_plateau": s = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **options)
    elif kind == "triangle": s = torch.optim.lr_scheduler.LambdaLR(optimizer, triangle(**options))
    elif kind == "triangle_modified": s = torch.optim.lr_scheduler.LambdaLR(optimizer, triangle_modified(**options))
    elif kind == "warmupcosine": s = WarmupCosineSchedule(optimizer, **options)
    else: s = torch.optim.lr_scheduler.CyclicLR(optimizer, **options)
    rates = []
    for step in range(50):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if kind == "reduce_on_plateau": s.step(metrics[step])
        else: s.step()
    cases.append({"kind": kind, "options": options, "rates": rates})
json.dump({"torch": torch.__version__, "metrics": metrics, "cases": cases}, open("schedule_reference.json", "w"), separators=(",", ":"))
print(len(cases), "cases")
