#!/usr/bin/env python3
"""Build deterministic metric fixtures for Scry's training metrics.

Writes metrics.json next to this file. Expected values come from the reference
implementations:

  * segmentation: GaNDLF 0.1.5's own functions (GANDLF.losses.segmentation.dice,
    GANDLF.metrics.segmentation._calculator_sensitivity_specificity,
    _calculator_jaccard, _calculator_generic_all_surface_distances and the
    module-private __surface_distances / _nsd_base), plus MONAI for comparison;
  * classification: scikit-learn, plus GaNDLF's per-batch metric functions and
    GaNDLF.metrics.overall_stats (torchmetrics underneath);
  * regression: scikit-learn / scipy, plus GaNDLF.metrics.overall_stats.

Run with the GaNDLF venv:  /tmp/gvenv/bin/python make_metrics.py
See /tmp/train/METRICS.md (copied into the Scry docs) for the definitions.

Conventions in the JSON:
  * label maps are flattened in C (row-major) order; "shape" gives the array
    shape and spacing[k] is the physical voxel size (mm) along array axis k;
  * probabilities are flattened row-major with shape [N, K];
  * a value that is NaN/inf in the reference is written as null.
"""

import json
import math
import os
import sys
import warnings

warnings.filterwarnings("ignore")

import numpy as np
import torch

# GaNDLF has a circular import (metrics -> losses -> utils -> metrics); importing the
# configuration validators first resolves it.
from GANDLF.configuration.validators import validate_metrics  # noqa: E402
from GANDLF.metrics import global_metrics_dict, overall_stats  # noqa: E402
import GANDLF.metrics.segmentation as gseg  # noqa: E402
from GANDLF.losses.segmentation import dice as gandlf_dice  # noqa: E402
from GANDLF.utils import one_hot as gandlf_one_hot  # noqa: E402
from GANDLF.version import __version__ as gandlf_version  # noqa: E402

import sklearn  # noqa: E402
from sklearn import metrics as skm  # noqa: E402
import scipy  # noqa: E402
from scipy import stats  # noqa: E402
import torchmetrics  # noqa: E402

try:
    import monai
    from monai.metrics import compute_hausdorff_distance, compute_surface_dice

    HAVE_MONAI = True
except Exception:  # pragma: no cover
    HAVE_MONAI = False

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "metrics.json")
DBL_MIN = sys.float_info.min
_surface_distances = getattr(gseg, "__surface_distances")  # module-private in GaNDLF


def fnum(x):
    """float or None (for NaN / inf), plain Python types for json."""
    if x is None:
        return None
    if isinstance(x, torch.Tensor):
        x = x.item()
    x = float(x)
    return x if math.isfinite(x) else None


def flist(xs):
    return [fnum(x) for x in xs]


# ----------------------------------------------------------------------------
# segmentation
# ----------------------------------------------------------------------------


def ellipse_mask(shape, center, radii):
    grids = np.meshgrid(*[np.arange(n) for n in shape], indexing="ij")
    acc = np.zeros(shape)
    for g, c, r in zip(grids, center, radii):
        acc += ((g - c) / r) ** 2
    return acc <= 1.0


def perturb(gt, rng, classes, flip_frac=0.04, shift_axis=None):
    """Prediction = gt, optionally shifted by one voxel, with a few random relabels."""
    pr = gt.copy()
    if shift_axis is not None:
        pr = np.roll(pr, 1, axis=shift_axis)
    n = pr.size
    idx = rng.choice(n, size=max(1, int(flip_frac * n)), replace=False)
    flat = pr.reshape(-1)
    flat[idx] = rng.choice(classes, size=len(idx))
    return flat.reshape(gt.shape)


def gandlf_params_single(spacing):
    return {
        "model": {"num_classes": 1, "class_list": [1], "ignore_label_validation": None},
        "problem_type": "segmentation",
        "subject_spacing": torch.tensor([spacing], dtype=torch.float64),
    }


def surface_reimpl(p, g, spacing):
    """GaNDLF's own helpers, with the intended tolerance max(min(spacing), 1).

    GaNDLF's wrapper computes `max(min(spacing), 1).item()`, which raises
    AttributeError whenever min(spacing) < 1 (Python's max returns the int 1).
    """
    d_pg = _surface_distances(p, g, spacing)  # pred border -> nearest gt border
    d_gp = _surface_distances(g, p, spacing)  # gt border -> nearest pred border
    tol = max(min(spacing), 1.0)
    nsd = gseg._nsd_base(d_pg, d_gp, tol)
    pooled = np.hstack((d_pg, d_gp))
    return {
        "d_pg": d_pg,
        "d_gp": d_gp,
        "tol": tol,
        "nsd": float(nsd),
        "hd100": float(np.percentile(pooled, 100)),
        "hd95": float(np.percentile(pooled, 95)),
    }


def seg_class_metrics(gt, pr, cls, spacing, with_distances=False):
    g = (gt == cls).astype(np.int64)
    p = (pr == cls).astype(np.int64)
    T32 = torch.tensor(g, dtype=torch.float32)[None, None]
    P32 = torch.tensor(p, dtype=torch.float32)[None, None]
    T64, P64 = T32.double(), P32.double()
    params = gandlf_params_single(spacing)

    dice64 = gandlf_dice(P64, T64).item()
    dice32 = gandlf_dice(P32, T32).item()
    sens, spec = gseg._calculator_sensitivity_specificity(P32, T32, params)
    iou = gseg._calculator_jaccard(P32, T32, params)

    sd = surface_reimpl(p, g, spacing)
    wrapper = "ok"
    try:
        nsd_w, hd100_w, hd95_w = gseg._calculator_generic_all_surface_distances(P32, T32, params)
        assert abs(nsd_w.item() - sd["nsd"]) < 1e-12, (nsd_w, sd["nsd"])
        assert abs(hd100_w.item() - sd["hd100"]) < 1e-12
        assert abs(hd95_w.item() - sd["hd95"]) < 1e-12
    except AttributeError as e:
        wrapper = "AttributeError: " + str(e)

    tp = int(np.sum((p == 1) & (g == 1)))
    fp = int(np.sum((p == 1) & (g == 0)))
    fn = int(np.sum((p == 0) & (g == 1)))
    tn = int(np.sum((p == 0) & (g == 0)))
    precision = tp / (tp + fp + DBL_MIN)
    if p.sum() == 0 and g.sum() == 0:
        precision = 1.0

    d_pg, d_gp = sd["d_pg"], sd["d_gp"]
    empty = isinstance(d_pg, int) or isinstance(d_gp, int)
    out = {
        "class": int(cls),
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "dice": dice64,
        "dice_float32_is_nan": bool(math.isnan(dice32)),
        "hausdorff": sd["hd100"],
        "hausdorff95": sd["hd95"],
        "nsd": sd["nsd"],
        "nsd_tolerance_mm": sd["tol"],
        "sensitivity": fnum(sens),
        "specificity": fnum(spec),
        "precision": precision,
        "iou": fnum(iou),
        "n_border_pred": 0 if empty else int(len(d_pg)),
        "n_border_gt": 0 if empty else int(len(d_gp)),
        "gandlf_surface_wrapper": wrapper,
    }
    if not empty:
        out["hd95_max_of_directed"] = float(max(np.percentile(d_pg, 95), np.percentile(d_gp, 95)))
        out["nsd_pooled_counts"] = float(
            (np.sum(d_pg <= sd["tol"]) + np.sum(d_gp <= sd["tol"])) / (len(d_pg) + len(d_gp))
        )
        if with_distances:
            out["distances_pred_to_gt"] = [round(float(x), 9) for x in d_pg]
            out["distances_gt_to_pred"] = [round(float(x), 9) for x in d_gp]
    if HAVE_MONAI:
        yp = torch.tensor(p, dtype=torch.float32)[None, None]
        yt = torch.tensor(g, dtype=torch.float32)[None, None]
        sp = list(map(float, spacing))
        out["monai"] = {
            "hausdorff": fnum(compute_hausdorff_distance(yp, yt, include_background=True, spacing=sp)[0, 0]),
            "hausdorff95": fnum(
                compute_hausdorff_distance(yp, yt, include_background=True, percentile=95, spacing=sp)[0, 0]
            ),
            "surface_dice": fnum(
                compute_surface_dice(yp, yt, class_thresholds=[sd["tol"]], include_background=True, spacing=sp)[0, 0]
            ),
        }
    return out


def seg_case(name, gt, pr, classes, spacing, description, with_distances=False):
    per_class = [seg_class_metrics(gt, pr, c, spacing, with_distances) for c in classes]

    # GaNDLF's multi-class wrappers on the full one-hot tensors (what a training config reports)
    K = len(classes)
    T = gandlf_one_hot(torch.tensor(gt)[None, None], classes)
    P = gandlf_one_hot(torch.tensor(pr)[None, None], classes)
    aggregates = {}
    for ignore in (None, 0):
        params = {
            "model": {"num_classes": K, "class_list": classes, "ignore_label_validation": ignore},
            "problem_type": "segmentation",
            "subject_spacing": torch.tensor([spacing], dtype=torch.float64),
        }
        keep = [pc for pc in per_class if pc["class"] != ignore]
        mean = lambda k: float(np.mean([pc[k] for pc in keep]))  # noqa: E731
        agg = {
            "dice": mean("dice"),
            "hausdorff": mean("hausdorff"),
            "hausdorff95": mean("hausdorff95"),
            "nsd": mean("nsd"),
            "sensitivity": mean("sensitivity"),
            "specificity_segmentation": mean("specificity"),
            "jaccard": mean("iou"),
        }
        d = global_metrics_dict["dice"](P, T, params).item()
        agg["dice_gandlf_float32"] = fnum(d)
        agg["jaccard_per_label_gandlf_cumulative"] = flist(global_metrics_dict["jaccard_per_label"](P, T, params))
        try:
            for nm, key in (("hd95", "hausdorff95"), ("hd100", "hausdorff"), ("nsd", "nsd")):
                v = global_metrics_dict[nm](P, T, params).item()
                assert abs(v - agg[key]) < 1e-9, (nm, v, agg[key])
            agg["gandlf_surface_wrapper"] = "ok"
        except AttributeError as e:
            agg["gandlf_surface_wrapper"] = "AttributeError: " + str(e)
        s = global_metrics_dict["sensitivity"](P, T, params).item()
        assert abs(s - agg["sensitivity"]) < 1e-12
        aggregates["ignore_label_validation_" + ("none" if ignore is None else str(ignore))] = agg

    return {
        "name": name,
        "description": description,
        "shape": list(gt.shape),
        "spacing": list(map(float, spacing)),
        "classes": classes,
        "target": gt.reshape(-1).astype(int).tolist(),
        "prediction": pr.reshape(-1).astype(int).tolist(),
        "per_class": per_class,
        "mean_over_classes": aggregates,
    }


def build_segmentation():
    rng = np.random.default_rng(20240601)
    cases = []

    # 2D, 24x20, 3 classes, anisotropic spacing with min < 1
    shape = (24, 20)
    gt = np.zeros(shape, np.int64)
    gt[ellipse_mask(shape, (9, 8), (6, 5))] = 1
    gt[ellipse_mask(shape, (16, 12), (4.5, 5.5))] = 2
    pr = perturb(gt, rng, [0, 1, 2], flip_frac=0.03, shift_axis=1)
    cases.append(
        seg_case(
            "seg2d_3class",
            gt, pr, [0, 1, 2], [1.0, 0.5],
            "2D 24x20, classes 0/1/2, prediction = gt shifted +1 along axis 1 plus random relabels. "
            "GaNDLF's surface-distance wrapper raises here (min spacing < 1); values use its helpers "
            "with the intended tolerance max(min(spacing),1)=1.0.",
            with_distances=True,
        )
    )

    # 3D, 12x10x8, 2 classes
    shape = (12, 10, 8)
    gt = ellipse_mask(shape, (6, 4.5, 3.5), (4, 3.5, 2.5)).astype(np.int64)
    pr = perturb(gt, rng, [0, 1], flip_frac=0.02, shift_axis=0)
    cases.append(
        seg_case(
            "seg3d_2class",
            gt, pr, [0, 1], [1.0, 1.5, 2.0],
            "3D 12x10x8, classes 0/1, prediction = gt shifted +1 along axis 0 plus random relabels. "
            "Values verified against GaNDLF's wrapper directly (tolerance 1.0).",
        )
    )

    # edge A: class absent from prediction (2) and class absent from target (3)
    shape = (16, 16)
    gt = np.zeros(shape, np.int64)
    gt[ellipse_mask(shape, (7, 7), (5, 4))] = 1
    gt[ellipse_mask(shape, (12, 12), (2, 2))] = 2
    pr = gt.copy()
    pr[pr == 2] = 0
    pr[2:4, 11:14] = 3
    pr[ellipse_mask(shape, (7, 8), (5, 4))] = 1
    cases.append(
        seg_case(
            "seg2d_absent_in_prediction",
            gt, pr, [0, 1, 2, 3], [1.5, 2.0],
            "2D 16x16, classes 0..3. Class 2 is in the target only (missed); class 3 is in the "
            "prediction only (false positive). Spacing [1.5,2.0] -> NSD tolerance 1.5, GaNDLF's wrapper works.",
        )
    )

    # edge B: class absent from both
    gt = np.zeros(shape, np.int64)
    gt[ellipse_mask(shape, (8, 8), (5, 6))] = 1
    pr = np.zeros(shape, np.int64)
    pr[ellipse_mask(shape, (8, 7), (5, 5))] = 1
    cases.append(
        seg_case(
            "seg2d_absent_in_both",
            gt, pr, [0, 1, 2], [1.5, 2.0],
            "2D 16x16, classes 0..2; class 2 appears in neither map.",
        )
    )
    return cases


# ----------------------------------------------------------------------------
# classification
# ----------------------------------------------------------------------------


def gandlf_cls_params(K, names):
    return {
        "model": {"num_classes": K, "class_list": list(range(K))},
        "problem_type": "classification",
        "metrics": validate_metrics(names),
    }


CLS_BATCH_METRICS = [
    "accuracy", "f1", "precision", "recall", "specificity", "iou",
    "classification_accuracy", "balanced_accuracy", "per_label_one_hot_accuracy",
]


def gandlf_batch_metrics(probs, y, K):
    params = gandlf_cls_params(K, CLS_BATCH_METRICS)
    P = torch.tensor(probs, dtype=torch.float32)
    Y = torch.tensor(y).reshape(-1, 1)  # training label shape [B, n_value_keys]
    out = {}
    for n in CLS_BATCH_METRICS:
        v = global_metrics_dict[n](P, Y, params)
        out[n] = fnum(v) if v.dim() == 0 else flist(v)
    # validation: batch size 1, per-sample metric averaged over samples
    per_sample = {n: [] for n in CLS_BATCH_METRICS if n != "per_label_one_hot_accuracy"}
    for i in range(len(y)):
        for n in per_sample:
            v = global_metrics_dict[n](P[i : i + 1], Y[i : i + 1], params)
            per_sample[n].append(float(v))
    out_val = {n: float(np.mean(v)) for n, v in per_sample.items()}
    ce = global_metrics_dict["cel"](P, Y, params)  # CrossEntropyLoss(prediction-as-logits, label)
    return out, out_val, float(ce)


def sk_cls(y, probs, K):
    pred = probs.argmax(1)
    r = {
        "accuracy": skm.accuracy_score(y, pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y, pred),
        "balanced_accuracy_args_swapped": skm.balanced_accuracy_score(pred, y),
        "mcc": skm.matthews_corrcoef(y, pred),
        "confusion_matrix": skm.confusion_matrix(y, pred, labels=list(range(K))).tolist(),
        "log_loss": skm.log_loss(y, probs, labels=list(range(K))),
    }
    avgs = ["micro", "macro", "weighted", None] + (["binary"] if K == 2 else [])
    for nm, fn in (
        ("precision", skm.precision_score),
        ("recall", skm.recall_score),
        ("f1", skm.f1_score),
        ("jaccard", skm.jaccard_score),
    ):
        r[nm] = {}
        for a in avgs:
            v = fn(y, pred, average=a, labels=list(range(K)), zero_division=0)
            r[nm]["none" if a is None else a] = flist(v) if a is None else float(v)
    # specificity per class: TN/(TN+FP)
    cm = np.array(r["confusion_matrix"], dtype=float)
    tp = np.diag(cm)
    fp = cm.sum(0) - tp
    fn = cm.sum(1) - tp
    tn = cm.sum() - tp - fp - fn
    spec = tn / (tn + fp)
    support = cm.sum(1)
    r["specificity"] = {
        "none": spec.tolist(),
        "macro": float(spec.mean()),
        "weighted": float((spec * support).sum() / support.sum()),
        "micro": float(tn.sum() / (tn.sum() + fp.sum())),
    }
    if K == 2:
        r["auroc"] = {"binary_on_p1": skm.roc_auc_score(y, probs[:, 1])}
        r["average_precision"] = skm.average_precision_score(y, probs[:, 1])
    else:
        r["auroc"] = {
            "ovr_macro": skm.roc_auc_score(y, probs, multi_class="ovr", average="macro"),
            "ovr_weighted": skm.roc_auc_score(y, probs, multi_class="ovr", average="weighted"),
            "ovo_macro": skm.roc_auc_score(y, probs, multi_class="ovo", average="macro"),
            "ovr_per_class": [skm.roc_auc_score(y == c, probs[:, c]) for c in range(K)],
            "hard_ovr_per_class": [skm.roc_auc_score(y == c, (pred == c).astype(float)) for c in range(K)],
            # GaNDLF's score for class c is softmax(one_hot(pred)) in float32; the off-class value is one ulp
            # lower in rows whose predicted class is the last one (K-1), giving 3 levels instead of 2.
            "gandlf_emulated_three_level_per_class": [
                skm.roc_auc_score(y == c, np.where(pred == c, 2.0, np.where(pred == K - 1, 0.0, 1.0)))
                for c in range(K)
            ],
        }
    return r


def cls_case(name, y, probs, description):
    K = probs.shape[1]
    pred = probs.argmax(1)
    batch, val, ce = gandlf_batch_metrics(probs, y, K)
    params = gandlf_cls_params(K, [])
    ov = overall_stats(torch.Tensor(pred), torch.Tensor(y), params)
    if K > 2:
        emu = sk_cls(y, probs, K)["auroc"]["gandlf_emulated_three_level_per_class"]
        assert np.allclose(emu, ov["auroc_per_class"], atol=1e-6), (emu, ov["auroc_per_class"])
    return {
        "name": name,
        "description": description,
        "num_classes": int(K),
        "shape": [int(len(y)), int(K)],
        "labels": y.astype(int).tolist(),
        "probabilities": [round(float(x), 12) for x in probs.reshape(-1)],
        "predicted_labels_argmax": pred.astype(int).tolist(),
        "sklearn": sk_cls(y, probs, K),
        "gandlf_batch_metrics_whole_set_as_one_batch": batch,
        "gandlf_validation_mean_of_per_sample": val,
        "gandlf_cel_probabilities_fed_as_logits": ce,
        "gandlf_overall_stats": ov,
    }


def build_classification():
    rng = np.random.default_rng(7)
    cases = []
    N, K = 30, 3
    y = np.repeat(np.arange(K), [14, 10, 6])
    rng.shuffle(y)
    logits = rng.normal(size=(N, K))
    logits[np.arange(N), y] += 1.0
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    probs = np.round(probs, 12)
    probs[:, -1] = 1.0 - probs[:, :-1].sum(1)
    cases.append(cls_case("cls_3class", y, probs, "30 samples, 3 imbalanced classes (14/10/6), softmax of noisy logits (+1.0 on the true class)."))

    N = 30
    y = (rng.random(N) < 0.4).astype(np.int64)
    p1 = 1 / (1 + np.exp(-(rng.normal(size=N) + 0.7 * (2 * y - 1))))
    p1 = np.round(p1, 12)
    probs = np.stack([1 - p1, p1], 1)
    cases.append(cls_case("cls_binary", y, probs, "30 samples, 2 classes, p(class 1) = sigmoid(noise +/- 0.7)."))
    return cases


# ----------------------------------------------------------------------------
# regression
# ----------------------------------------------------------------------------


def build_regression():
    rng = np.random.default_rng(11)
    N = 25
    y = np.round(rng.normal(50, 10, N), 6)
    yp = np.round(y + rng.normal(0, 5, N) + 1.0, 6)
    params = {"model": {"num_classes": 1, "class_list": []}, "problem_type": "regression",
              "metrics": {}, "scaling_factor": 1}
    ov = overall_stats(torch.tensor(yp).reshape(N, 1), torch.tensor(y).reshape(N, 1), params)
    mse_params = {"loss_function": {"mse": {"reduction": "mean"}}}
    gm = global_metrics_dict["mse"](torch.tensor(yp).reshape(N, 1), torch.tensor(y).reshape(N, 1), mse_params)
    mse = skm.mean_squared_error(y, yp)
    return [{
        "name": "reg_25",
        "description": "25 samples, target ~ N(50,10), prediction = target + N(0,5) + 1.",
        "target": y.tolist(),
        "prediction": yp.tolist(),
        "sklearn_scipy": {
            "mse": mse,
            "mae": skm.mean_absolute_error(y, yp),
            "rmse": math.sqrt(mse),
            "pearson": float(stats.pearsonr(y, yp)[0]),
            "spearman": float(stats.spearmanr(y, yp)[0]),
            "r2": skm.r2_score(y, yp),
            "msle": skm.mean_squared_log_error(y, yp),
            "explained_variance": skm.explained_variance_score(y, yp),
            "cosine_whole_vector": float(yp @ y / np.linalg.norm(yp) / np.linalg.norm(y)),
        },
        "gandlf_mse_metric": fnum(gm),
        "gandlf_overall_stats_Nx1_inputs": {k: (fnum(v) if not isinstance(v, list) else "list of %d" % len(v))
                                            for k, v in ov.items()},
    }]


def main():
    doc = {
        "provenance": {
            "generator": "Tests/ScryTrainTests/Fixtures/make_metrics.py",
            "python": sys.version.split()[0],
            "gandlf": gandlf_version,
            "torch": torch.__version__,
            "torchmetrics": torchmetrics.__version__,
            "torchmetrics_note": "GaNDLF 0.1.5 pins torchmetrics==1.1.2. Re-running under 1.1.2 gives the same "
                                 "values (to 1e-6) except cls_binary gandlf_validation_mean_of_per_sample.iou, "
                                 "which is NaN there (BinaryJaccardIndex returns 0/0 for a lone true negative).",
            "scikit_learn": sklearn.__version__,
            "scipy": scipy.__version__,
            "numpy": np.__version__,
            "monai": monai.__version__ if HAVE_MONAI else None,
        },
        "conventions": [
            "Arrays are flattened row-major (C order); shape gives dimensions; spacing[k] is mm along axis k.",
            "Per-class segmentation metrics treat class c as the binary mask (label == c); background (0) is "
            "reported because GaNDLF includes it unless model.ignore_label_validation is set.",
            "dice = (2|P.T| + DBL_MIN)/(|P|+|T| + DBL_MIN) evaluated in float64 (1.0 when both empty). "
            "GaNDLF evaluates it in float32 during training, where DBL_MIN underflows and empty/empty gives NaN "
            "(flag dice_float32_is_nan).",
            "hausdorff / hausdorff95: percentile 100 / 95 (numpy linear interpolation) of the POOLED list "
            "[pred-border->gt-border distances] + [gt-border->pred-border distances]; border = mask XOR "
            "binary_erosion(mask, cross structuring element, border_value 0); distances = EDT in mm. "
            "If either mask is empty GaNDLF returns 0 for hausdorff, hausdorff95 and nsd.",
            "nsd = (frac(d_pg <= tol) + frac(d_gp <= tol)) / 2 with tol = max(min(spacing), 1) mm (GaNDLF's "
            "_nsd_base; not the usual pooled-count surface dice, given for comparison as nsd_pooled_counts).",
            "sensitivity = TP/(TP+FN+DBL_MIN), 1.0 when both masks empty; specificity = TN/(TN+FP+DBL_MIN).",
            "precision is NOT defined per class by GaNDLF for segmentation; the fixture uses TP/(TP+FP+DBL_MIN), "
            "1.0 when both masks empty (same convention as sensitivity).",
            "iou = GaNDLF jaccard = D/(2-D) with D the integer-array dice (1.0 when both empty).",
            "monai.* values are MONAI references (hd95 = max of the two directed 95th percentiles; surface dice "
            "= pooled counts) and differ from GaNDLF on purpose.",
            "null means NaN/inf in the reference.",
        ],
        "segmentation": build_segmentation(),
        "classification": build_classification(),
        "regression": build_regression(),
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
