#!/usr/bin/env python3
"""Writes transform_reference.json: TorchIO's outputs for the transforms Scry defines as TorchIO
does, on one fixed image [1, 6, 5, 4] (spacing 1, 1.5, 2) with a label map. Randomised TorchIO
transforms are pinned to one parameter (a range of a single value) so that they are
deterministic. Run with torchio installed (0.19.6 was used)."""
import json

import numpy as np
import torch
import torchio as tio

rng = np.random.default_rng(11)
image = (rng.normal(0, 1, (1, 6, 5, 4)) * 40 + 100).astype(np.float32)
image[0, 0, :, :] = 0  # a zero plane, for the non-zero masks
label = rng.integers(0, 3, (1, 6, 5, 4)).astype(np.float32)
affine = np.diag([1.0, 1.5, 2.0, 1.0])


def subject():
    return tio.Subject(image=tio.ScalarImage(tensor=torch.tensor(image), affine=affine),
                       label=tio.LabelMap(tensor=torch.tensor(label), affine=affine))


def t(a):
    a = a.numpy() if isinstance(a, torch.Tensor) else a
    return {"shape": list(a.shape), "data": [float(str(np.float32(v))) for v in a.ravel()]}


cases = []


def case(name, transform, **args):
    out = transform(subject())
    cases.append({"name": name, "args": args, "image": t(out["image"].data), "label": t(out["label"].data),
                  "affine": out["image"].affine.tolist()})


case("zscore", tio.ZNormalization())
case("zscore", tio.ZNormalization(masking_method=lambda x: x > 0), nonzero=True)
case("rescale", tio.RescaleIntensity(out_min_max=(0, 1)), low=0, high=1)
case("rescale", tio.RescaleIntensity(out_min_max=(-1, 1), percentiles=(5, 95)), low=-1, high=1, percentiles=[5, 95])
case("clip", tio.Clamp(out_min=60, out_max=140), low=60, high=140)
case("crop_or_pad", tio.CropOrPad((4, 7, 4)), size=[4, 7, 4])
case("crop_or_pad", tio.CropOrPad((3, 8, 5)), size=[3, 8, 5])
case("flip", tio.RandomFlip(axes=(0, 2), flip_probability=1), axes=[0, 2])
case("gamma", tio.RandomGamma(log_gamma=(0.3, 0.3)), gamma=float(np.exp(0.3)))
case("blur", tio.RandomBlur(std=(1.5, 1.5)), std=1.5)
coefficients = [0.1, -0.2, 0.05, 0.3, -0.1, 0.2, 0.15, -0.05, 0.1, 0.25]
case("bias_field", tio.BiasField(coefficients=coefficients, order=2), coefficients=coefficients, order=2)
case("ghosting", tio.Ghosting(num_ghosts=3, axis=0, intensity=0.7, restore=0.02), every=3, axis=0, intensity=0.7)
case("ghosting", tio.Ghosting(num_ghosts=2, axis=2, intensity=1.0, restore=0.02), every=2, axis=2, intensity=1.0)
case("resize", tio.Resize((9, 4, 6)), size=[9, 4, 6])
case("resample", tio.Resample((0.5, 3.0, 1.0)), spacing=[0.5, 3.0, 1.0])
for degrees, scales, translation in [((0, 0, 30), (1, 1, 1), (0, 0, 0)), ((20, 0, 0), (1, 1, 1), (0, 0, 0)),
                                     ((0, 25, 0), (1, 1, 1), (0, 0, 0)), ((0, 0, 0), (1, 1, 1), (1.5, -1, 2)),
                                     ((0, 0, 0), (1.2, 0.9, 1.1), (0, 0, 0)), ((10, -15, 20), (1, 1, 1), (0, 0, 0)),
                                     ((10, -15, 20), (1.2, 0.9, 1.1), (1.5, -1, 2))]:
    case("affine", tio.Affine(scales=scales, degrees=degrees, translation=translation),
         rotation=list(degrees), scales=list(scales), translation=list(translation))
grid = np.random.default_rng(5).uniform(-0.6, 0.6, (5, 6, 4, 3))
case("elastic", tio.ElasticDeformation(control_points=grid, max_displacement=(0.6, 0.6, 0.6)),
     grid=list(grid.shape[:3]), displacements=[float(v) for v in grid.ravel()])
for rotations, translations, times in [([[0, 0, 10]], [[0, 0, 0]], [0.6]), ([[5, 0, 0]], [[1, 0, 0]], [0.3]),
                                       ([[3, -4, 6], [-2, 5, 1]], [[0.5, -1, 1], [1, 0.5, -0.5]], [0.2, 0.7])]:
    case("motion", tio.Motion(degrees=np.array(rotations, float), translation=np.array(translations, float), times=np.array(times),
                              image_interpolation="linear"), rotations=rotations, translations=translations, times=times)
def anisotropy(axis, factor):
    """RandomAnisotropy's two resamplings with its axis and factor fixed."""
    def run(subject):
        spacing = list(subject.spacing)
        spacing[axis] *= factor
        down = tio.Resample(target=tuple(spacing), image_interpolation="nearest", scalars_only=True)(subject)
        image = subject.get_first_image()
        return tio.Resample(target=(image.spatial_shape, image.affine), image_interpolation="linear", scalars_only=True)(down)
    return run


case("anisotropy", anisotropy(0, 2.5), axis=0, factor=2.5)
case("anisotropy", anisotropy(2, 1.7), axis=2, factor=1.7)
locations = [((0, 0, 0), (3, 2, 1)), ((1, 3, 2), (4, 0, 0))]
case("swap", tio.Swap(patch_size=(2, 2, 2), locations=[(np.array(a), np.array(b)) for a, b in locations]),
     patch=[2, 2, 2], locations=[[list(a), list(b)] for a, b in locations])
spikes = [[0.1, 0.7, 0.4], [0.9, 0.2, 0.6]]
case("spikes", tio.Spike(spikes_positions=np.array(spikes), intensity=0.5), positions=spikes, intensity=0.5)
json.dump({"torchio": tio.__version__, "input": t(image), "label": t(label), "spacing": [1.0, 1.5, 2.0], "cases": cases},
          open("transform_reference.json", "w"), separators=(",", ":"))
print(len(cases), "cases")
