#!/usr/bin/env python3
"""Writes torch_reference.json: PyTorch's outputs and gradients for Scry's network kernels on
fixed small inputs. Each case lists its inputs, the upstream gradient, the output and the
gradient of every input. Run once with torch installed; the tests never need torch."""
import json

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(0)


def t(a):
    a = a.detach().numpy() if isinstance(a, torch.Tensor) else a
    return {"shape": list(a.shape), "data": [float(str(np.float32(v))) for v in a.ravel()]}


cases = []


def case(op, inputs, fn, **args):
    leaves = [x.clone().requires_grad_(True) for x in inputs]
    out = fn(*leaves)
    seed = torch.randn(out.shape)
    out.backward(seed)
    cases.append({"op": op, "args": args, "inputs": [t(x) for x in inputs], "seed": t(seed), "output": t(out),
                  "grads": [t(x.grad) for x in leaves]})


def r(*shape):
    return torch.randn(*shape)


case("conv", [r(2, 3, 7, 6), r(4, 3, 3, 3), r(4)], lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), stride=[2], padding=[1], dilation=[1], groups=1)
case("conv", [r(1, 4, 6, 7), r(4, 2, 3, 2)], lambda x, w: F.conv2d(x, w, stride=(1, 2), padding=(2, 0), dilation=(2, 1), groups=2), stride=[1, 2], padding=[2, 0], dilation=[2, 1], groups=2)
case("conv", [r(1, 3, 5, 5)], lambda x: F.conv2d(x, torch.ones(3, 1, 3, 3) * 0.5, padding="same", groups=3), same=True, depthwise=True)
case("conv", [r(1, 2, 5, 4, 6), r(3, 2, 3, 3, 3), r(3)], lambda x, w, b: F.conv3d(x, w, b, padding=1), stride=[1], padding=[1], dilation=[1], groups=1)
case("conv", [r(2, 2, 9), r(3, 2, 3)], lambda x, w: F.conv1d(x, w, stride=2, dilation=2), stride=[2], padding=[0], dilation=[2], groups=1)
case("conv_transpose", [r(1, 3, 4, 5), r(3, 2, 2, 2), r(2)], lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2), stride=[2], padding=[0], output_padding=[0], groups=1)
case("conv_transpose", [r(1, 4, 3, 3), r(4, 1, 3, 3)], lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1, groups=2), stride=[2], padding=[1], output_padding=[1], groups=2)
case("conv_transpose", [r(1, 2, 2, 3, 2), r(2, 3, 2, 2, 2)], lambda x, w: F.conv_transpose3d(x, w, stride=2), stride=[2], padding=[0], output_padding=[0], groups=1)
case("max_pool", [r(2, 2, 6, 7)], lambda x: F.max_pool2d(x, 2), kernel=[2], stride=None, padding=[0])
case("max_pool", [r(1, 2, 7, 6)], lambda x: F.max_pool2d(x, 3, stride=2, padding=1), kernel=[3], stride=[2], padding=[1])
case("max_pool", [r(1, 2, 4, 6, 5)], lambda x: F.max_pool3d(x, 2), kernel=[2], stride=None, padding=[0])
case("avg_pool", [r(1, 2, 7, 6)], lambda x: F.avg_pool2d(x, 3, stride=2, padding=1), kernel=[3], stride=[2], padding=[1], count_include_pad=True)
case("avg_pool", [r(1, 2, 5, 6)], lambda x: F.avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False), kernel=[2], stride=[1], padding=[1], count_include_pad=False)
case("avg_pool", [r(1, 1, 4, 4, 6)], lambda x: F.avg_pool3d(x, 2), kernel=[2], stride=None, padding=[0], count_include_pad=True)
case("adaptive_avg_pool", [r(1, 2, 7, 5)], lambda x: F.adaptive_avg_pool2d(x, (3, 2)), size=[3, 2])
case("upsample", [r(1, 2, 3, 4)], lambda x: F.interpolate(x, scale_factor=2, mode="nearest"), mode="nearest", size=[6, 8], align_corners=False)
case("upsample", [r(1, 2, 3, 4)], lambda x: F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=False), mode="linear", size=[5, 7], align_corners=False)
case("upsample", [r(1, 2, 3, 4)], lambda x: F.interpolate(x, size=(6, 5), mode="bilinear", align_corners=True), mode="linear", size=[6, 5], align_corners=True)
case("upsample", [r(1, 1, 2, 3, 2)], lambda x: F.interpolate(x, scale_factor=2, mode="trilinear", align_corners=False), mode="linear", size=[4, 6, 4], align_corners=False)
case("batch_norm", [r(4, 3, 5, 5), r(3), r(3)], lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), eps=1e-5)
case("instance_norm", [r(2, 3, 4, 5), r(3), r(3)], lambda x, w, b: F.instance_norm(x, weight=w, bias=b), eps=1e-5)
case("instance_norm", [r(2, 2, 3, 4, 3)], lambda x: F.instance_norm(x), eps=1e-5)
case("group_norm", [r(2, 4, 3, 5), r(4), r(4)], lambda x, w, b: F.group_norm(x, 2, w, b), groups=2, eps=1e-5)
case("layer_norm", [r(2, 3, 4), r(3, 4), r(3, 4)], lambda x, w, b: F.layer_norm(x, (3, 4), w, b), axes=2, eps=1e-5)
case("leaky_relu", [r(2, 5)], lambda x: F.leaky_relu(x, 0.01))
case("gelu", [r(2, 5)], lambda x: F.gelu(x))
case("softmax", [r(2, 5)], lambda x: F.softmax(x, dim=1), axis=1)
case("log_softmax", [r(2, 5)], lambda x: F.log_softmax(x, dim=0), axis=0)

json.dump({"torch": torch.__version__, "cases": cases}, open("torch_reference.json", "w"), separators=(",", ":"))
print(len(cases), "cases")
