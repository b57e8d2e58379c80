"""Reference outputs of GaNDLF's architectures for Scry's model zoo (stdlib/models).

Each case in cases/*.json names a GaNDLF architecture in a small configuration and the Scry
call that builds the same network. For each case this script builds GaNDLF's model, fills its
state_dict with deterministic weights (see `weights`), runs it in eval mode on a deterministic
input, and writes <name>.safetensors holding the output, with the case and GaNDLF's parameter
count at its default width in the file's metadata. The weights are not committed: the Scry test
makes the same values with the same generator (a counter-based splitmix64 keyed by each
tensor's name) and loads them through a safetensors file, so the files stay small even for the
architectures whose width GaNDLF fixes (vgg, resnet, densenet, efficientnet).

Name mapping: Scry's zoo names its layers as GaNDLF does, so a GaNDLF state_dict key is the
Scry key; a case may list regex rewrites ("rename") where a Scry architecture differs.

Run once, with GaNDLF installed (python -m venv --system-site-packages v; v/bin/pip install
gandlf==0.1.5 --no-deps; then acsconv, segmentation-models-pytorch, timm, torchvision, monai, …
as its imports ask):
    python make_zoo_reference.py [case-name …] [--export DIR]
--export writes each case's weights (Scry names) and input as safetensors into DIR.
"""
import contextlib, io, json, math, os, re, sys, warnings
warnings.filterwarnings("ignore")
import numpy as np
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
MASK64 = (1 << 64) - 1


def fnv1a(name):
    h = 0xCBF29CE484222325
    for b in name.encode():
        h = ((h ^ b) * 0x100000001B3) & MASK64
    return h


def uniform(name, count):
    """count values in [-1, 1): splitmix64 of key + (i+1)·golden, top 24 bits."""
    with np.errstate(over="ignore"):
        i = np.arange(1, count + 1, dtype=np.uint64)
        z = np.uint64(fnv1a(name)) + i * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) / float(1 << 24) * 2.0 - 1.0


def weights(name, shape, dtype):
    """The value of one state_dict entry: He-uniform for weights of rank ≥ 2, near-one norm
    scales, small biases and means, variances in [0.5, 1)."""
    if not dtype.is_floating_point:
        return torch.zeros(shape, dtype=dtype)
    n = int(np.prod(shape)) if len(shape) else 1
    u = uniform(name, n)
    if name.endswith("running_var"):
        v = 0.5 + 0.25 * (u + 1.0)
    elif name.endswith("running_mean"):
        v = 0.1 * u
    elif len(shape) >= 2:
        v = u * math.sqrt(6.0 / (n / shape[0]))
    elif len(shape) == 1 and name.endswith("weight"):
        v = 1.0 + 0.1 * u
    else:
        v = 0.1 * u
    return torch.from_numpy(v.astype(np.float32)).reshape(shape)


def gandlf_model(model, top, patch):
    from GANDLF.models import global_models_dict
    params = {"model": {"amp": False, "num_channels": 1, "num_classes": 2, "norm_type": "batch",
                        "final_layer": "none", "base_filters": 32, **model},
              "patch_size": patch, "batch_size": 1, **top}
    params["model"].setdefault("class_list", list(range(params["model"]["num_classes"])))
    with contextlib.redirect_stdout(io.StringIO()), offline_vgg16():
        return global_models_dict[model["architecture"]](parameters=params)


@contextlib.contextmanager
def offline_vgg16():
    """brain_age calls torchvision.models.vgg16(pretrained=True), which downloads ImageNet weights.
    Offline, build the same network without them: every weight is replaced by `weights` anyway."""
    import torchvision
    vgg16 = torchvision.models.vgg16
    torchvision.models.vgg16 = lambda pretrained=False, **kwargs: vgg16(weights=None, **kwargs)
    try:
        yield
    finally:
        torchvision.models.vgg16 = vgg16


def run(case, export):
    torch.manual_seed(0)
    net = gandlf_model(case["gandlf"], case.get("gandlf_top", {}), case["patch_size"]).eval()
    state = {k: weights(k, tuple(v.shape), v.dtype) for k, v in net.state_dict().items()}
    net.load_state_dict(state)
    x = torch.from_numpy(uniform("input", int(np.prod(case["input_shape"]))).astype(np.float32)).reshape(case["input_shape"])
    with torch.no_grad():
        y = net(x)
    if isinstance(y, (tuple, list)):
        y = y[0]
    d = case["default"]
    default = gandlf_model(d["gandlf"], d.get("gandlf_top", {}), d["patch_size"])
    count = sum(p.numel() for p in default.parameters())
    del default
    meta = {"case": json.dumps(case), "parameters_default": str(count)}
    save_file({"output": y.contiguous().float()}, os.path.join(HERE, case["name"] + ".safetensors"), metadata=meta)
    if export:
        renamed = {}
        for k, v in state.items():
            for pattern, repl in case.get("rename", []):
                k = re.sub(pattern, repl, k)
            renamed[k] = v.contiguous()
        save_file(renamed, os.path.join(export, case["name"] + "_weights.safetensors"))
        save_file({"input": x, "output": y.contiguous().float()}, os.path.join(export, case["name"] + "_io.safetensors"))
    print(f"{case['name']}: output {list(y.shape)}, |y| max {y.abs().max().item():.4g}, default parameters {count}")


def main():
    args = sys.argv[1:]
    export = None
    if "--export" in args:
        i = args.index("--export")
        export = args[i + 1]
        os.makedirs(export, exist_ok=True)
        del args[i:i + 2]
    cases = []
    for file in sorted(os.listdir(os.path.join(HERE, "cases"))):
        if file.endswith(".json"):
            with open(os.path.join(HERE, "cases", file)) as f:
                cases += json.load(f)
    for case in cases:
        if not args or case["name"] in args:
            run(case, export)


if __name__ == "__main__":
    main()
