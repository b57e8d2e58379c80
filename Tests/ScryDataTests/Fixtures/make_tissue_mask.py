#!/usr/bin/env python3
"""A synthetic histology slide (slide.png) and the tissue mask GaNDLF computes for it
(tissue_mask.png: 255 for tissue), with scikit-image as GaNDLF's get_tissue_mask and OPM's
tissue_mask use it: resize to 512 × 512 (anti-aliased), rgb2hsv, hue and saturation smoothed by
gaussian(σ = 1), 0.8 < hue < 0.99 and saturation > 0.05, remove_small_holes (under 64 pixels),
resized back by nearest neighbour. The slide is larger than 512 on both sides, where Scry's mask
is GaNDLF's.

Run once with `pip install scikit-image pillow`: python make_tissue_mask.py
"""
import os
import warnings

import numpy as np
from PIL import Image
from skimage.color import rgb2hsv
from skimage.filters import gaussian
from skimage.morphology import remove_small_holes
from skimage.transform import resize

W, H = 1100, 700  # x (columns), y (rows)


def slide():
    """[H, W, 3]: white, a pink disc, a purple ring around a small white hole (filled), a blue
    disc and a gray band (not tissue), and a disc running from pink to blue across x."""
    y, x = np.mgrid[0:H, 0:W]
    img = np.full((H, W, 3), 255, np.int64)

    def disc(cx, cy, r):
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r

    img[disc(250, 250, 150)] = (200, 100, 180)
    img[disc(700, 300, 120) & ~disc(700, 300, 5)] = (150, 60, 170)
    img[disc(900, 600, 70)] = (50, 80, 200)
    img[(y >= 640) & (x < 500)] = (128, 128, 128)
    ramp = disc(400, 560, 100)
    img[ramp] = np.stack([200 - (x[ramp] - 300) // 2, np.full(ramp.sum(), 100), np.full(ramp.sum(), 180)], -1)
    return img.astype(np.uint8)


def gandlf_tissue_mask(img):
    small = resize(img, (512, 512), anti_aliasing=True)
    hsv = rgb2hsv(small)
    hue, saturation = gaussian(hsv[..., 0], sigma=1), gaussian(hsv[..., 1], sigma=1)
    mask = (hue > 0.8) & (hue < 0.99) & (saturation > 0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # newer scikit-image renames area_threshold
        mask = remove_small_holes(mask, area_threshold=64)
    return resize(mask, img.shape[:2], order=0, mode="constant") > 0


here = os.path.dirname(os.path.abspath(__file__))
image = slide()
Image.fromarray(image).save(os.path.join(here, "slide.png"), optimize=True)
Image.fromarray((gandlf_tissue_mask(image) * 255).astype(np.uint8)).save(os.path.join(here, "tissue_mask.png"), optimize=True)
