"""Reference saliency maps for Tests/ScrySaliencyTests, computed with pytorch-grad-cam and PyTorch.

Run from any folder, with a Python that has torch, safetensors and grad-cam 1.5.x
(pip install grad-cam; its imports also need opencv-python-headless, ttach, matplotlib,
scikit-image, scipy and tqdm):

    python Tests/ScrySaliencyTests/Fixtures/make_saliency_reference.py

It defines four small networks with deterministic weights (torch.manual_seed, He-uniform), the
same ones nets.scry writes in Scry with the same layer names: a classifier (three 3×3 convolutions
with ReLU layers, two max poolings, global average pooling, a linear layer; 4 classes) and a
two-level U-Net segmenter (3 classes, a softmax layer last), each in 2D and 3D. The seeds are
chosen so that the two samples' default targets differ and no max-pooling window on the input
has a near tie (which float rounding could break either way). It writes beside itself

- {classifier,segmenter}_{2d,3d}.safetensors: the weights (state_dict names);
- maps_{2d,3d}.safetensors: the input batch "x" (2 samples, 2 channels, sides 32×24 in 2D and
  16×12×8 in 3D), the segmentation mask "mask", and for each network, case and method the raw
  map "<net>/<case>/<method>/raw" and, for the CAM methods (in 3D Grad-CAM alone, to keep the
  files small), the returned map ".../final".
  The metadata entry "cases" (JSON) lists each case's arguments: network, case name, target
  (null: the default), layer (null: the default), mask (the name of the mask tensor, or null: the
  predicted one) and the classes the targets came to.

2D: Grad-CAM, Grad-CAM++, XGrad-CAM, Layer-CAM and Score-CAM come from pytorch-grad-cam itself
(the raw map is its get_cam_image with the ReLU it applies, the final map its return value);
guided backpropagation from its GuidedBackpropReLUModel for the classifier and from its
GuidedBackpropReLU rule for the segmenter (the model class takes output[0, k], a classifier's);
guided Grad-CAM is that times pytorch-grad-cam's Grad-CAM map. Vanilla gradients, integrated
gradients and occlusion are computed directly in PyTorch. 3D: the same formulas computed
directly in PyTorch (pytorch-grad-cam resizes 3D maps by cubic splines, scipy.ndimage.zoom, and
its Score-CAM is 2D-only), checked here against pytorch-grad-cam's raw maps where it has them.

Definitions (docs/saliency.md): maps of input gradients reduce the channel axis as
max_c |g| (saliency, guided backpropagation) or Σ_c |·| (integrated gradients: (x − baseline) ×
the mean of ∂score/∂x at baseline + k/steps·(x − baseline), k = 1…steps, steps 50,
baseline 0);
occlusion is the drop of the score when a window is zeroed, averaged over the windows covering
each voxel (default window: each side / 8 rounded, at least 1; stride: half the window, at least
1; a last window flush with the end). Final maps: per-sample (m − min) / (max + 1e-7), resized
(bilinear or trilinear, align_corners false), and for the CAM methods normalised once more.
"""

import copy
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

from pytorch_grad_cam import GradCAM, GradCAMPlusPlus, LayerCAM, ScoreCAM, XGradCAM
from pytorch_grad_cam.guided_backprop import GuidedBackpropReLUasModule, GuidedBackpropReLUModel
from pytorch_grad_cam.utils.find_layers import replace_all_layer_type_recursive
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget, SemanticSegmentationTarget

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = {2: (32, 24), 3: (16, 12, 8)}
SEEDS = {2: {"classifier": 0, "segmenter": 33}, 3: {"classifier": 4, "segmenter": 10}}
CAM_METHODS = ["gradcam", "gradcampp", "xgradcam", "layercam", "scorecam"]
INPUT_METHODS = ["guided_backprop", "guided_gradcam", "saliency", "integrated_gradients", "occlusion"]
LIBRARY = {"gradcam": GradCAM, "gradcampp": GradCAMPlusPlus, "xgradcam": XGradCAM, "layercam": LayerCAM,
           "scorecam": ScoreCAM}


# ---- The networks (nets.scry writes the same ones in Scry) ----

def conv(d, *args, **kwargs):
    return (nn.Conv2d if d == 2 else nn.Conv3d)(*args, **kwargs)


def pool(d):
    return (nn.MaxPool2d if d == 2 else nn.MaxPool3d)(2)


class Classifier(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.features = nn.Sequential(conv(d, 2, 8, 3, padding=1), nn.ReLU(), pool(d),
                                      conv(d, 8, 16, 3, padding=1), nn.ReLU(), pool(d),
                                      conv(d, 16, 16, 3, padding=1), nn.ReLU())
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        f = self.features(x)
        return self.head(f.flatten(2).mean(2))


class Segmenter(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.d = d
        self.enc1 = nn.Sequential(conv(d, 2, 8, 3, padding=1), nn.ReLU())
        self.enc2 = nn.Sequential(conv(d, 8, 16, 3, padding=1), nn.ReLU())
        self.dec = nn.Sequential(conv(d, 24, 8, 3, padding=1), nn.ReLU())
        self.head = conv(d, 8, 3, 1)
        self.final = nn.Softmax(dim=1)

    def forward(self, x):
        skip = self.enc1(x)
        bottom = self.enc2((F.max_pool2d if self.d == 2 else F.max_pool3d)(skip, 2))
        up = F.interpolate(bottom, size=skip.shape[2:], mode="nearest")
        return self.final(self.head(self.dec(torch.cat([up, skip], 1))))


def initialise(model):
    """He-uniform weights (a ReLU network's gain, so that the output depends on the input more than
    PyTorch's default initialisation lets it) and small uniform biases, from the current seed."""
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Conv3d, nn.Linear)):
            nn.init.kaiming_uniform_(module.weight, nonlinearity="relu")
            nn.init.uniform_(module.bias, -0.1, 0.1)
    return model.eval()


def make_networks(d):
    """The classifier and the segmenter of one dimension. The seeds are chosen so that the two samples'
    default targets differ: a different top class, and for the segmenter a different foreground class
    predicted over most voxels, with every class predicted somewhere."""
    torch.manual_seed(SEEDS[d]["classifier"])
    classifier = initialise(Classifier(d))
    torch.manual_seed(SEEDS[d]["segmenter"])
    segmenter = initialise(Segmenter(d))
    return {"classifier": classifier, "segmenter": segmenter}


def pool_near_ties(model, x):
    """How many 2×2(×2) max-pooling windows on x's forward pass have a positive maximum within 1e-4 of
    the runner-up: float rounding may pick either, and the gradient then takes another path."""
    inputs = []
    pools = [m for m in model.modules() if isinstance(m, (nn.MaxPool2d, nn.MaxPool3d))]
    handles = [p.register_forward_hook(lambda m, i, o: inputs.append(i[0])) for p in pools]
    if isinstance(model, Segmenter):
        handles.append(model.enc1.register_forward_hook(lambda m, i, o: inputs.append(o)))
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    count = 0
    for t in inputs:
        windows = t
        for axis in range(2, t.dim()):
            windows = windows.unfold(axis, 2, 2)
        windows = windows.reshape(windows.shape[:t.dim()] + (-1,))
        top = windows.topk(2, -1).values
        count += int(((top[..., 0] > 0) & (top[..., 0] - top[..., 1] < 1e-4 * top[..., 0])).sum())
    return count


def make_input(d):
    """Two samples of two channels: a little noise and a Gaussian blob per channel, placed and signed
    differently."""
    g = torch.Generator().manual_seed(1)
    size = SIZES[d]
    grids = torch.meshgrid(*[torch.arange(s, dtype=torch.float32) for s in size], indexing="ij")
    x = 0.3 * torch.randn((2, 2) + size, generator=g)
    centres = [[[0.3, 0.6, 0.5], [0.7, 0.3, 0.4]], [[0.6, 0.25, 0.6], [0.25, 0.7, 0.5]]]
    for n in range(2):
        for c in range(2):
            r2 = sum(((grid - centres[n][c][i] * (s - 1)) / (0.15 * s)) ** 2 for i, (grid, s) in enumerate(zip(grids, size)))
            x[n, c] += [[2.0, -1.0], [-1.5, 2.0]][n][c] * torch.exp(-0.5 * r2)
    return x


def make_mask(d):
    size = SIZES[d]
    mask = torch.zeros(size)
    box = tuple(slice(s // 4, s // 4 + s // 2) for s in size)
    mask[box] = 1
    return mask


# ---- Targets ----

def target_weights(out, target, mask):
    """One-hot rows [N, K] (classifier) or class k inside the mask [N, K, …] (segmenter); the score of
    sample n is (out[n] · weights[n]).sum(). Default class: the top one (classifier), or the class
    other than 0 with the most predicted voxels, inside its predicted mask (segmenter)."""
    n, k = out.shape[:2]
    if out.dim() == 2:
        classes = out.argmax(1).tolist() if target is None else [target] * n
        return F.one_hot(torch.tensor(classes), k).float(), classes
    predicted = out.argmax(1)
    if target is None:
        counts = torch.stack([(predicted == c).flatten(1).sum(1).float() for c in range(k)], 1)
        counts[:, 0] = -1
        classes = counts.argmax(1).tolist()
    else:
        classes = [target] * n
    onehot = F.one_hot(torch.tensor(classes), k).float().reshape((n, k) + (1,) * (out.dim() - 2))
    if mask is None:
        region = (predicted == torch.tensor(classes).reshape((n,) + (1,) * (out.dim() - 2))).float()
    else:
        region = mask.expand((n,) + tuple(mask.shape))
    return onehot * region.unsqueeze(1), classes


def library_targets(out, target, mask, weights, classes):
    if out.dim() == 2:
        return None if target is None else [ClassifierOutputTarget(c) for c in classes]
    region = weights.sum(1)  # the mask of each sample (only its class's channel is non-zero)
    return [SemanticSegmentationTarget(c, region[i].numpy()) for i, c in enumerate(classes)]


# ---- Post-processing (pytorch-grad-cam's scale_cam_image, resizing as cv2.resize) ----

def normalise(m):
    lead = (m.shape[0],) + (1,) * (m.dim() - 1)
    m = m - m.flatten(1).min(1).values.reshape(lead)
    return m / (m.flatten(1).max(1).values.reshape(lead) + 1e-7)


def resize(m, size):
    if tuple(m.shape[1:]) == tuple(size):
        return m
    mode = "bilinear" if len(size) == 2 else "trilinear"
    return F.interpolate(m.unsqueeze(1), size=size, mode=mode, align_corners=False)[:, 0]


def cam_final(raw, size):
    return normalise(resize(normalise(raw), size))


# ---- The methods, directly in PyTorch ----

def layer_pass(model, layer, x, target, mask):
    seen = []
    handle = model.get_submodule(layer).register_forward_hook(lambda m, i, o: seen.append(o))
    out = model(x)
    handle.remove()
    weights, classes = target_weights(out.detach(), target, mask)
    a = seen[0]
    g = torch.autograd.grad((out * weights).sum(), a)[0]
    return a.detach(), g, weights, classes


def direct_cam(method, model, layer, x, target, mask):
    a, g, weights, _ = layer_pass(model, layer, x, target, mask)
    axes = tuple(range(2, a.dim()))
    expand = lambda w: w.reshape(w.shape + (1,) * (a.dim() - 2))
    if method == "gradcam":
        cam = (expand(g.mean(axes)) * a).sum(1)
    elif method == "gradcampp":
        g2, g3 = g ** 2, g ** 3
        alpha = g2 / (2 * g2 + a.sum(axes, keepdim=True) * g3 + 1e-6)
        alpha = torch.where(g != 0, alpha, torch.zeros_like(alpha))
        cam = (expand((g.clamp(min=0) * alpha).sum(axes)) * a).sum(1)
    elif method == "xgradcam":
        cam = (expand((g * a / (a.sum(axes, keepdim=True) + 1e-7)).sum(axes)) * a).sum(1)
    elif method == "layercam":
        cam = (g.clamp(min=0) * a).sum(1)
    elif method == "scorecam":
        n, k = a.shape[:2]
        mode = "bilinear" if a.dim() == 4 else "trilinear"
        up = F.interpolate(a, size=x.shape[2:], mode=mode, align_corners=True)
        low = up.flatten(2).min(2).values.reshape((n, k) + (1,) * (a.dim() - 2))
        high = up.flatten(2).max(2).values.reshape((n, k) + (1,) * (a.dim() - 2))
        up = (up - low) / (high - low + 1e-8)
        scores = torch.zeros(n, k)
        with torch.no_grad():
            for i in range(n):
                masked = x[i:i + 1] * up[i].unsqueeze(1)
                for start in range(0, k, 16):
                    out = model(masked[start:start + 16])
                    scores[i, start:start + 16] = (out * weights[i:i + 1]).flatten(1).sum(1)
        cam = (expand(torch.softmax(scores, 1)) * a).sum(1)
    return cam.clamp(min=0)


def input_gradient(model, x, target, mask, guided=False):
    """∂score/∂x; guided: on a copy whose ReLU layers are pytorch-grad-cam's GuidedBackpropReLUasModule
    (its replace_all_layer_type_recursive puts one shared module everywhere, so the network given is
    left alone: hooks on one of its ReLU layers keep seeing that layer alone)."""
    if guided:
        model = copy.deepcopy(model)
        replace_all_layer_type_recursive(model, nn.ReLU, GuidedBackpropReLUasModule())
    x = x.clone().requires_grad_(True)
    out = model(x)
    weights, _ = target_weights(out.detach(), target, mask)
    return torch.autograd.grad((out * weights).sum(), x)[0]


def integrated_gradients(model, x, target, mask, steps=50):
    baseline = torch.zeros_like(x)
    with torch.no_grad():
        weights, _ = target_weights(model(x), target, mask)
    total = torch.zeros_like(x)
    for k in range(1, steps + 1):
        point = (baseline + (x - baseline) * (k / steps)).requires_grad_(True)
        total += torch.autograd.grad((model(point) * weights).sum(), point)[0]
    return ((x - baseline) * total / steps).abs().sum(1)


def window_starts(size, window, stride):
    starts = list(range(0, size - window + 1, stride))
    if starts[-1] + window < size:
        starts.append(size - window)
    return starts


def occlusion(model, x, target, mask, window=None):
    size = x.shape[2:]
    windows = window or [max(1, int(s / 8 + 0.5)) for s in size]
    strides = [max(1, w // 2) for w in windows]
    with torch.no_grad():
        out = model(x)
        weights, _ = target_weights(out, target, mask)
        base = (out * weights).flatten(1).sum(1)
        sums = torch.zeros_like(x[:, 0])
        counts = torch.zeros(size)
        grid = np.meshgrid(*[window_starts(s, w, st) for s, w, st in zip(size, windows, strides)], indexing="ij")
        for starts in zip(*[g.ravel() for g in grid]):
            box = tuple(slice(int(s), int(s) + w) for s, w in zip(starts, windows))
            occluded = x.clone()
            occluded[(slice(None), slice(None)) + box] = 0
            drop = base - (model(occluded) * weights).flatten(1).sum(1)
            sums[(slice(None),) + box] += drop.reshape((-1,) + (1,) * len(size))
            counts[box] += 1
    return sums / counts


# ---- pytorch-grad-cam itself (2D) ----

def library_cam(method, model, layer, x, targets):
    """pytorch-grad-cam's map (its return value) and its raw map (get_cam_image, with the ReLU it applies)."""
    cam = LIBRARY[method](model=model, target_layers=[model.get_submodule(layer)])
    recorded = []
    get_cam_image = cam.get_cam_image

    def record(*args, **kwargs):
        image = get_cam_image(*args, **kwargs)
        recorded.append(image)
        return image

    cam.get_cam_image = record
    final = cam(input_tensor=x, targets=targets)
    cam.activations_and_grads.release()
    return torch.from_numpy(np.maximum(recorded[0], 0)).float(), torch.from_numpy(final).float()


def library_guided_backprop(model, x, classes):
    """GuidedBackpropReLUModel, one sample at a time (it takes output[0, k]): [N, C, …] gradients."""
    gb = GuidedBackpropReLUModel(model=copy.deepcopy(model), device="cpu")
    rows = [torch.from_numpy(gb(x[i:i + 1].clone(), target_category=c)).permute(2, 0, 1) for i, c in enumerate(classes)]
    return torch.stack(rows)


def pearson(a, b):
    a, b = a.flatten().double(), b.flatten().double()
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / (a.norm() * b.norm()))


def compute(d):
    nets = make_networks(d)
    x = make_input(d)
    mask = make_mask(d)
    explicit_layer = {"classifier": "features.3", "segmenter": "enc2.1"}
    default_layer = {"classifier": "features.7", "segmenter": "final"}
    cases = []
    tensors = {"x": x.contiguous(), "mask": mask.contiguous()}
    for name, model in nets.items():
        assert pool_near_ties(model, x) == 0, f"{d}D {name}: a max-pooling window has a near tie"
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(HERE, f"{name}_{d}d.safetensors"))
        for case, target, layer, use_mask in [("default", None, None, False),
                                             ("explicit", 3 if name == "classifier" else 2, explicit_layer[name], name == "segmenter")]:
            m = mask if use_mask else None
            with torch.no_grad():
                out = model(x)
            weights, classes = target_weights(out, target, m)
            cases.append({"net": name, "case": case, "target": target, "layer": layer,
                          "mask": "mask" if use_mask else None, "classes": classes})
            key = f"{name}/{case}"
            chosen_layer = layer or default_layer[name]
            raws, finals = {}, {}
            for method in CAM_METHODS:
                raw = direct_cam(method, model, chosen_layer, x, target, m)
                final = cam_final(raw, x.shape[2:])
                if d == 2:
                    lib_raw, lib_final = library_cam(method, model, chosen_layer, x, library_targets(out, target, m, weights, classes))
                    print(f"{d}D {key} {method}: direct vs pytorch-grad-cam raw r = {pearson(raw, lib_raw):.6f}, "
                          f"final max |Δ| = {(final - lib_final).abs().max():.2e}")
                    raw, final = lib_raw, lib_final
                elif method != "scorecam":
                    lib_raw, _ = library_cam(method, model, chosen_layer, x, library_targets(out, target, m, weights, classes))
                    print(f"{d}D {key} {method}: direct vs pytorch-grad-cam raw r = {pearson(raw, lib_raw):.6f}")
                raws[method], finals[method] = raw, final
            guided = input_gradient(model, x, target, m, guided=True)
            if d == 2 and name == "classifier":
                library = library_guided_backprop(model, x, classes)
                print(f"{d}D {key} guided backprop: direct vs pytorch-grad-cam max |Δ| = {(guided - library).abs().max():.2e}")
                guided = library
            raws["guided_backprop"] = guided.abs().amax(1)
            raws["guided_gradcam"] = raws["guided_backprop"] * finals["gradcam"]
            raws["saliency"] = input_gradient(model, x, target, m).abs().amax(1)
            raws["integrated_gradients"] = integrated_gradients(model, x, target, m)
            raws["occlusion"] = occlusion(model, x, target, m)
            for method, raw in raws.items():
                tensors[f"{key}/{method}/raw"] = raw.float().contiguous()
                assert raw.flatten(1).amax(1).min() > 0, f"{key}/{method}: a sample's map is zero"
                top = raw.flatten(1).topk(2, 1).values
                print(f"{d}D {key} {method}: raw {tuple(raw.shape)}, top-2 gap / max = "
                      f"{((top[:, 0] - top[:, 1]) / top[:, 0]).min():.3g}")
            for method in CAM_METHODS if d == 2 else ["gradcam"]:
                tensors[f"{key}/{method}/final"] = finals[method].float().contiguous()
    path = os.path.join(HERE, f"maps_{d}d.safetensors")
    save_file(tensors, path, metadata={"cases": json.dumps(cases)})
    print(f"wrote {path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    torch.set_num_threads(1)
    for d in (2, 3):
        compute(d)
