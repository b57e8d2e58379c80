#!/usr/bin/env python3
"""Writes small 2D images with Pillow (and NumPy), with image_reference.json giving each one's
size, channels and a few pixel values as Scry should read them ([C, x, y], x the column)."""
import json

import numpy as np
from PIL import Image

rng = np.random.default_rng(3)
reference = {}


def record(name, array):
    """array is [y, x] or [y, x, C] as Pillow holds it."""
    a = array if array.ndim == 3 else array[:, :, None]
    picks = [(0, 0), (a.shape[1] - 1, 0), (2, a.shape[0] - 1), (a.shape[1] // 2, a.shape[0] // 2)]
    reference[name] = {"size": [a.shape[1], a.shape[0]], "channels": a.shape[2],
                       "pixels": [{"x": x, "y": y, "values": [float(v) for v in a[y, x]]} for x, y in picks]}


gray = rng.integers(0, 256, (7, 9), dtype=np.uint8)
Image.fromarray(gray, "L").save("gray.png"); record("gray.png", gray)
rgb = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
Image.fromarray(rgb, "RGB").save("rgb.png"); record("rgb.png", rgb)
Image.fromarray(rgb, "RGB").save("rgb.bmp"); record("rgb.bmp", rgb)
Image.fromarray(rgb, "RGB").save("rgb.tiff"); record("rgb.tiff", rgb)
rgba = rng.integers(0, 256, (5, 4, 4), dtype=np.uint8)
rgba[..., 3] = np.where(rgba[..., 3] > 128, 255, 0)  # libgd keeps 7 bits of alpha: use the ends
Image.fromarray(rgba, "RGBA").save("rgba.png"); record("rgba.png", rgba)
Image.fromarray(gray, "L").save("gray.gif"); record("gray.gif", gray)
Image.fromarray(rgb, "RGB").save("rgb.webp", lossless=True); record("rgb.webp", rgb)
xray = rng.integers(0, 65536, (6, 5)).astype(np.uint16)
Image.fromarray(xray).save("xray16.png"); record("xray16.png", xray)
flat = np.full((8, 8, 3), (200, 40, 90), dtype=np.uint8)  # JPEG is lossy: a flat colour survives it
Image.fromarray(flat, "RGB").save("flat.jpg", quality=95); record("flat.jpg", flat)
data = open("rgb.png", "rb").read()
open("truncated.png", "wb").write(data[: len(data) // 2])
open("text.png", "w").write("not a picture\n")
json.dump(reference, open("image_reference.json", "w"), indent=1, sort_keys=True)
