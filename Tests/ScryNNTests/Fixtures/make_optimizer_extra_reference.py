#!/usr/bin/env python3
"""Writes optimizer_extra_reference.json: parameters after 10 steps of the optimizers GaNDLF adds
beyond torch.optim -- novograd (monai.optimizers.Novograd), lion (lion_pytorch.Lion 0.2.2),
ademamix and adopt (GaNDLF's own GANDLF/optimizers/thirdparty/) -- built through GaNDLF's
GANDLF.optimizers.get_optimizer exactly as its trainer does, on the fixed least-squares problem of
make_optimizer_reference.py (w [3, 4], b [4]; loss = mean((x.w + b - y)^2)).

Also "schedules": the learning rate at each epoch of every GaNDLF scheduler key, built by
GANDLF.schedulers.get_scheduler with GaNDLF's default scheduler settings (and with an explicit
step_size), stepped once per epoch as Lightning does. See GANDLF_SPEC.md.

Needs gandlf 0.1.5 importable (see make_gandlf_loss_reference.py for the environment)."""
import json
import warnings

import numpy as np
import torch

warnings.filterwarnings("ignore")
import GANDLF.utils  # noqa: E402,F401  (import order: GANDLF.losses <-> GANDLF.utils cycle)
from GANDLF.optimizers import get_optimizer  # noqa: E402
from GANDLF.schedulers import get_scheduler, global_schedulers_dict  # noqa: E402
from GANDLF.configuration.scheduler_config import schedulers_dict_config  # noqa: E402

torch.manual_seed(2)
x, y = torch.randn(8, 3), torch.randn(8, 4)
w0, b0 = torch.randn(3, 4), torch.randn(4)


def t(a):
    a = a.detach().numpy()
    return {"shape": list(a.shape), "data": [float(str(np.float32(v))) for v in a.ravel()]}


def plain(v):
    return list(v) if isinstance(v, tuple) else v


# (kind, learning_rate, params["optimizer"] extras, top-level params extras). GaNDLF's ademamix and
# adopt wrappers read betas/alpha/eps/weight_decay from the TOP level of the parameters dict, not
# from params["optimizer"] (only adopt's "decoupled" is read from params["optimizer"]).
configs = [
    ("novograd", 0.001, {}, {}),
    ("novograd", 0.05, {}, {}),
    ("novograd", 0.05, {"betas": (0.8, 0.95), "eps": 1e-6, "weight_decay": 0.01, "amsgrad": True}, {}),
    ("lion", 0.001, {}, {}),
    ("lion", 0.01, {}, {}),
    ("lion", 0.01, {"betas": (0.95, 0.98), "weight_decay": 0.5}, {}),
    ("lion", 0.01, {"betas": (0.9, 0.99), "weight_decay": 0.002, "decoupled_weight_decay": True}, {}),
    ("ademamix", 0.001, {}, {}),
    ("ademamix", 0.01, {}, {}),
    ("ademamix", 0.01, {}, {"betas": (0.8, 0.99, 0.999), "alpha": 2.0, "eps": 1e-6, "weight_decay": 0.05}),
    ("adopt", 0.001, {}, {}),
    ("adopt", 0.05, {}, {}),
    ("adopt", 0.05, {}, {"betas": (0.8, 0.99), "eps": 1e-4, "weight_decay": 0.05}),
    ("adopt", 0.05, {"decoupled": True}, {"weight_decay": 0.05}),
]
cases = []
for kind, lr, opt_extra, top_extra in configs:
    w, b = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
    params = {"model_parameters": [w, b], "learning_rate": lr, "optimizer": {"type": kind, **opt_extra}, **top_extra}
    optimizer = get_optimizer(params)
    losses = []
    for _ in range(10):
        optimizer.zero_grad()
        loss = ((x @ w + b - y) ** 2).mean()
        losses.append(float(str(np.float32(loss.item()))))
        loss.backward()
        optimizer.step()
    group = optimizer.param_groups[0]
    effective = {k: plain(v) for k, v in group.items() if k != "params" and isinstance(v, (int, float, bool, tuple, str))}
    if kind == "lion":
        effective["decoupled_weight_decay"] = optimizer.decoupled_wd
    cases.append({"kind": kind, "class": type(optimizer).__module__ + "." + type(optimizer).__name__,
                  "gandlf_config": {"learning_rate": lr, "optimizer": {"type": kind, **{k: plain(v) for k, v in opt_extra.items()}},
                                    **{k: plain(v) for k, v in top_extra.items()}},
                  "options": effective, "losses": losses, "w": t(w), "b": t(b)})


# ---- schedulers --------------------------------------------------------------------------
def scheduler_defaults(kind, lr, num_epochs, step_size=None):
    """GaNDLF's scheduler config after validation: the pydantic defaults of
    GANDLF/configuration/scheduler_config.py plus GANDLF/configuration/validators.py:validate_scheduler
    (restated: that module imports torchvision)."""
    cfg = {"type": kind, **schedulers_dict_config[kind]().model_dump()}
    if step_size is not None:
        cfg["step_size"] = step_size
    if kind == "triangular" and cfg.get("max_lr") is None:
        cfg["max_lr"] = lr
    if kind in ["reduce_on_plateau", "reduce-on-plateau", "plateau", "exp_range", "triangular"] and cfg.get("min_lr") is None:
        cfg["min_lr"] = lr * 0.001
    if kind in ["warmupcosineschedule", "wcs"]:
        cfg["warmup_steps"] = num_epochs * 0.1
    if "step_size" in cfg and cfg["step_size"] is None:
        cfg["step_size"] = lr / 5.0
    return cfg


metrics = [1.0 / (1 + i) if i < 8 else 0.12 + 0.001 * ((i * 7) % 5) for i in range(30)]
schedules = []
seen = set()
for kind in global_schedulers_dict:
    fn = global_schedulers_dict[kind]
    for lr, step_size in [(0.001, None), (0.01, 4)]:
        if "step_size" not in schedulers_dict_config[kind].model_fields:
            step_size = None  # second pass: same defaults at a larger base rate
        cfg = scheduler_defaults(kind, lr, 20, step_size)
        key = (fn.__name__, lr, step_size)
        if key in seen:  # aliases share one wrapper; record the first key only
            continue
        seen.add(key)
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=lr)
        params = {"scheduler": dict(cfg), "learning_rate": lr, "num_epochs": 20, "optimizer_object": opt}
        s = get_scheduler(params)
        rates = []
        for epoch in range(30):
            rates.append(opt.param_groups[0]["lr"])
            opt.step()
            if isinstance(s, torch.optim.lr_scheduler.ReduceLROnPlateau):
                s.step(metrics[epoch])
            else:
                s.step()
        schedules.append({"kind": kind, "aliases": [k for k, v in global_schedulers_dict.items() if v is fn],
                          "wrapper": fn.__name__, "learning_rate": lr, "num_epochs": 20,
                          "config": {k: plain(v) for k, v in params["scheduler"].items()}, "rates": rates})

json.dump({"torch": torch.__version__, "x": t(x), "y": t(y), "w0": t(w0), "b0": t(b0), "cases": cases,
           "schedule_metrics": metrics, "schedules": schedules},
          open("optimizer_extra_reference.json", "w"), separators=(",", ":"))
print(len(cases), "cases", len(schedules), "schedules")
