#!/usr/bin/env python3
"""Writes gandlf_loss_reference.json: loss values and input gradients of every key in GaNDLF's
loss dispatcher (GANDLF/losses/__init__.py, global_losses_dict), computed by importing GaNDLF's
own code (gandlf 0.1.5 from PyPI, identical to mlcommons/GaNDLF master 3f9b772 for losses/),
plus the class-imbalance penalty weights GaNDLF derives from training labels
(GANDLF/utils/tensor.py). See GANDLF_SPEC.md for the formulas.

Environment used (torch and monai already present):
    python -m venv --system-site-packages venv
    venv/bin/pip install gandlf==0.1.5 --no-deps
    venv/bin/pip install lion-pytorch==0.2.2 SimpleITK torchio==0.19.6 pandas tqdm torchmetrics \
        torchinfo nibabel humanize deprecated opencv-python-headless scikit-image scikit-learn \
        lightning_utilities panoptica
Run from this folder: venv/bin/python make_gandlf_loss_reference.py

Conventions follow make_loss_reference.py. Segmentation cases use prediction [2, 3, 4, 5]
(batch, classes, H, W). GaNDLF hands its segmentation losses the model output *after* the
model's final layer (softmax for these cases, so "input" holds probabilities) and the target
already one-hot encoded by GANDLF.utils.one_hot to the same shape [2, 3, 4, 5] float32.
dcce_logits gets raw logits. "grad" is d(value)/d(input) for seed 1; kld also has "grad_target"
(d/d logvar)."""
import json
import warnings

import numpy as np
import pandas as pd
import torch

warnings.filterwarnings("ignore")
import GANDLF.utils  # noqa: E402  (must come first: GANDLF.losses <-> GANDLF.utils import cycle)
from GANDLF.utils import one_hot  # noqa: E402
from GANDLF.utils.tensor import (  # noqa: E402
    get_class_imbalance_weights_classification,
    get_class_imbalance_weights_segmentation,
)
from GANDLF.losses import global_losses_dict as LOSSES  # noqa: E402
from GANDLF.losses.regression import CE, CCE_Generic, CE_Logits  # noqa: E402
from GANDLF.losses.segmentation import MCD_loss, FocalLoss  # noqa: E402


def validate_loss_function(value):
    """What GANDLF/configuration/validators.py:validate_loss_function turns a plain string into (restated
    here because importing that module pulls in GANDLF.data and torchvision)."""
    restated = {"focal": {"focal": {"gamma": 2.0, "size_average": True}}, "mse": {"mse": {"reduction": "mean"}}}
    return restated.get(value, value)


torch.manual_seed(3)


def t(a):
    a = a.detach().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
    kind = "int64" if a.dtype.kind == "i" else "float32"
    return {"shape": list(a.shape), "dtype": kind,
            "data": [float(str(np.float32(v))) if kind == "float32" else int(v) for v in a.ravel()]}


def f32(v):
    return float(str(np.float32(float(v))))


ALIASES = {}
for key, fn in LOSSES.items():
    ALIASES.setdefault(fn.__name__, []).append(key)

cases = []


def case(loss, x, y, params, note="", input_kind="probabilities", target_kind="one_hot", fn=None, components=None, grad_target=False):
    """Calls GaNDLF's loss for `loss` (or `fn`) as its trainer does: fn(prediction, target, params)."""
    fn = fn or (lambda a, b: LOSSES[loss](a, b, params))
    leaf = x.clone().requires_grad_(True)
    tleaf = y.clone().requires_grad_(True) if grad_target else y
    value = fn(leaf, tleaf)
    value.backward(torch.tensor(1.0))
    args = {k: v for k, v in (params or {}).items() if k != "model"}
    if isinstance(args.get("penalty_weights"), dict):
        args["penalty_weights"] = [f32(args["penalty_weights"][k]) for k in sorted(args["penalty_weights"])]
    if params and "model" in params:
        args["model"] = params["model"]
    entry = {"loss": loss, "aliases": ALIASES[LOSSES[loss].__name__] if loss in LOSSES else [loss],
             "args": args, "params_is_none": params is None, "input_kind": input_kind, "target_kind": target_kind,
             "note": note, "input": t(x), "target": t(y), "seed": t(torch.tensor(1.0)), "value": t(value),
             "grad": t(leaf.grad)}
    if grad_target:
        entry["grad_target"] = t(tleaf.grad)
    if components:
        entry["components"] = {k: f32(c(x, y)) for k, c in components.items()}
    cases.append(entry)


# ---- segmentation inputs -------------------------------------------------------------------
class_list = [0, 1, 2]
u = torch.rand(2, 1, 4, 5)
seg_labels = (u > 0.5).long() + (u > 0.85).long()         # imbalanced label map [2, 1, 4, 5], as torchio gives it
seg_onehot = one_hot(seg_labels, class_list)               # GaNDLF's own one-hot: [2, 3, 4, 5] float32
seg_logits = torch.randn(2, 3, 4, 5) * 1.5 + 2.0 * seg_onehot  # correlated with the labels so every MCC is > 0
seg_probs = torch.softmax(seg_logits, 1)
model = {"class_list": class_list, "num_classes": 3}
plain = {"model": model, "penalty_weights": None}

# GaNDLF's penalty weights from these training labels (each batch element one "subject" volume
# [1, 1, 4, 5, 1] as the penalty DataLoader with batch_size 1 yields it).
loader = [{"label": {"data": seg_labels[b:b + 1].unsqueeze(-1)}} for b in range(2)]
seg_penalty, seg_sampling, seg_classw = get_class_imbalance_weights_segmentation(
    loader, {"problem_type": "segmentation", "model": {"class_list": class_list}})
weighted = {"model": model, "penalty_weights": seg_penalty}

dice_only = lambda a, b: MCD_loss(a, b, plain)  # noqa: E731

for key, score in [("dc", "1 - dice_c"), ("dc_log", "-log(dice_c + eps32)"), ("mcc", "1 - mcc_c"), ("mcc_log", "-log(mcc_c + eps32)")]:
    case(key, seg_probs, seg_onehot, plain, f"mean over the 3 classes of {score}")
    case(key, seg_probs, seg_onehot, weighted, f"sum over classes of penalty[c] * ({score}); no division")

case("tversky", seg_probs, seg_onehot, plain, "alpha = beta = 0.5 always (not configurable); mean over classes")
case("tversky", seg_probs, seg_onehot, None, "params=None: plain SUM over classes (no division)")
case("tversky", seg_probs, seg_onehot, weighted, "sum over classes of penalty[c] * (1 - tversky)")

focal_cfg = validate_loss_function("focal")              # -> {"focal": {"gamma": 2.0, "size_average": True}}
case("focal", seg_probs, seg_onehot, {"model": model, "penalty_weights": None, "loss_function": focal_cfg},
     "config path: gamma=2, size_average=True (the nested focal dict is not read; defaults apply)")
case("focal", seg_probs, seg_onehot, {"model": model, "penalty_weights": None,
                                      "loss_function": {"gamma": 3.0, "size_average": False}},
     "direct call with top-level gamma=3, size_average=False (sum instead of mean); not reachable from a config file")
case("focal", seg_probs, seg_onehot, {"model": model, "penalty_weights": seg_penalty, "loss_function": focal_cfg},
     "weighted: sum over classes of penalty[c] * focal_c")

case("dc_focal", seg_probs, seg_onehot, {"model": model, "penalty_weights": None, "loss_function": focal_cfg},
     "dc + focal", components={"dc": dice_only,
                                "focal": lambda a, b: FocalLoss(a, b, {"model": model, "penalty_weights": None, "loss_function": focal_cfg})})
case("dc_focal", seg_probs, seg_onehot, {"model": model, "penalty_weights": seg_penalty, "loss_function": focal_cfg},
     "weighted dc + weighted focal")

ce_part = lambda a, b: CCE_Generic(a, b, plain, CE)  # noqa: E731
case("dcce", seg_probs, seg_onehot, plain, "dc + SUM over classes of BCE(p_c, one_hot(target)[:, c]); target is one-hot "
     "encoded a second time inside (see spec)", components={"dc": dice_only, "ce": ce_part})
case("dcce", seg_probs, seg_onehot, weighted, "weighted dc + sum of penalty[c] * BCE_c",
     components={"dc": lambda a, b: MCD_loss(a, b, weighted), "ce": lambda a, b: CCE_Generic(a, b, weighted, CE)})
case("dcce_logits", seg_logits, seg_onehot, plain, "dice on the raw logits + sum over classes of BCEWithLogits",
     input_kind="logits", components={"dc": dice_only, "ce": lambda a, b: CCE_Generic(a, b, plain, CE_Logits)})

# "ce" is CE(prediction, target) with two parameters; the dispatcher's 3-argument call raises TypeError.
case("ce", seg_probs, seg_onehot, None, "binary cross entropy over all elements (mean); called as CE(p, t) "
     "because GaNDLF's own fn(p, t, params) call raises TypeError", fn=lambda a, b: CE(a, b))

# ---- classification (cel) --------------------------------------------------------------------
cls_logits = torch.randn(4, 3)
cls_target = torch.tensor([[0], [2], [1], [2]])
train_labels = np.array([0, 0, 0, 1, 1, 2, 0, 1, 0, 0])
df = pd.DataFrame({"SubjectID": range(len(train_labels)), "Channel_0": ["x"] * len(train_labels), "ValueToPredict": train_labels})
cls_params = {"headers": {"predictionHeaders": [2]}, "model": {"class_list": class_list}}
cls_penalty, _, cls_classw = get_class_imbalance_weights_classification(df, cls_params)
case("cel", cls_logits, cls_target, {"penalty_weights": None}, "torch CrossEntropyLoss on logits; target [N,1] squeezed",
     input_kind="logits", target_kind="class_index")
case("cel", cls_logits, cls_target, {"penalty_weights": cls_penalty}, "CrossEntropyLoss(weight=penalty values in dict order)",
     input_kind="logits", target_kind="class_index")
case("cel", seg_logits, seg_onehot, {"penalty_weights": None}, "segmentation logits with a one-hot float target: torch's "
     "probability-target cross entropy, mean over B*H*W", input_kind="logits")

# ---- regression (mse, l1) and kld -----------------------------------------------------------
rx, ry = torch.randn(4, 3), torch.randn(4, 3)
case("mse", rx, ry, {"loss_function": validate_loss_function("mse")}, "batch>1: per-output-column mse, averaged over columns "
     "(= plain mse for reduction mean)", input_kind="regression", target_kind="regression")
case("mse", rx, ry, {"loss_function": {"mse": {"reduction": "sum"}}}, "reduction sum: (sum of squared errors) / num columns",
     input_kind="regression", target_kind="regression")
case("mse", rx, ry, {"loss_function": {"mse": {"reduction": "mean", "scaling_factor": 2.0}}}, "target multiplied by scaling_factor",
     input_kind="regression", target_kind="regression")
case("mse", rx[:1], ry[:1], {"loss_function": {"mse": {"reduction": "sum"}}}, "batch 1: whole-tensor loss, no division",
     input_kind="regression", target_kind="regression")
case("l1", rx, ry, None, "params None, batch>1: per-column mean |e| averaged over columns (= plain l1)",
     input_kind="regression", target_kind="regression")
case("l1", rx[:1], ry[:1], None, "params None, batch 1: mean |e| DIVIDED by num columns (3)",
     input_kind="regression", target_kind="regression")
case("l1", rx, ry, {"loss_function": {"l1": {"reduction": "mean"}, "mse": {"reduction": "sum"}}, "scaling_factor": 2.0,
                    "model": {"num_classes": 3}},
     "hand-built params, batch>1: uses loss_function['mse']['reduction'] (sum here) and top-level scaling_factor; "
     "a validated config (loss_function == 'l1' string) raises TypeError", input_kind="regression", target_kind="regression")
mu, logvar = torch.randn(4, 6), torch.randn(4, 6) * 0.5
case("kld", mu, logvar, None, "input = mu, target = logvar; mean over rows of -0.5*sum_j(1 + logvar - mu^2 - exp(logvar))",
     input_kind="mu", target_kind="logvar", fn=lambda a, b: LOSSES["kld"](a, b), grad_target=True)

penalty = {
    "segmentation": {"function": "GANDLF/utils/tensor.py:get_class_imbalance_weights_segmentation",
                     "class_list": class_list, "labels": t(seg_labels),
                     "voxel_counts": [int((seg_labels == c).sum()) for c in class_list],
                     "penalty_weights": [f32(seg_penalty[c]) for c in class_list],
                     "sampling_weights": [f32(seg_sampling[c]) for c in class_list],
                     "class_weights": [f32(seg_classw[c]) for c in class_list]},
    "classification": {"function": "GANDLF/utils/tensor.py:get_class_imbalance_weights_classification",
                       "class_list": class_list, "labels": train_labels.tolist(),
                       "penalty_weights": [f32(cls_penalty[c]) for c in class_list],
                       "class_weights": [f32(cls_classw[c]) for c in class_list]},
}
missing = get_class_imbalance_weights_classification(
    pd.DataFrame({"SubjectID": range(6), "Channel_0": ["x"] * 6, "ValueToPredict": [0, 0, 0, 0, 2, 2]}), cls_params)[0]
penalty["classification_missing_class"] = {"labels": [0, 0, 0, 0, 2, 2], "dict_order": [int(k) for k in missing],
                                           "penalty_weights_in_dict_order": [f32(v) for v in missing.values()]}

import GANDLF  # noqa: E402
json.dump({"torch": torch.__version__, "gandlf": GANDLF.__version__, "aliases": ALIASES, "penalty": penalty, "cases": cases},
          open("gandlf_loss_reference.json", "w"), separators=(",", ":"))
print(len(cases), "cases")
