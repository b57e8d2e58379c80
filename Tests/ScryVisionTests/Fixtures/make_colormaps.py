"""Reference colormaps for Scry's pictures: OpenCV's COLORMAP_JET (what pytorch-grad-cam's
show_cam_on_image uses) and COLORMAP_TURBO (what GaNDLF's whole-slide heat maps use) and
matplotlib's viridis and magma, each as 256 RGB triples.

Run once with `pip install opencv-python-headless matplotlib`:
    python make_colormaps.py            # writes colormaps.json
    python make_colormaps.py --swift    # prints the tables Sources/ScryVision/Colormap.swift holds
"""
import json, os, sys
import numpy as np
import cv2
import matplotlib

ramp = np.arange(256, dtype=np.uint8).reshape(1, -1)
maps = {"jet": cv2.applyColorMap(ramp, cv2.COLORMAP_JET)[0][:, ::-1].astype(int).tolist()}
for name in ("viridis", "magma"):
    rgba = matplotlib.colormaps[name](np.arange(256) / 255.0)
    maps[name] = (np.array(rgba)[:, :3] * 255).round().astype(int).tolist()
maps["turbo"] = cv2.applyColorMap(ramp, cv2.COLORMAP_TURBO)[0][:, ::-1].astype(int).tolist()

if "--swift" in sys.argv:
    for name in ("jet", "viridis", "magma", "turbo"):
        flat = [v for rgb in maps[name] for v in rgb]
        rows = [", ".join(str(v) for v in flat[i:i + 24]) for i in range(0, len(flat), 24)]
        print(f"    static let {name}Table: [UInt8] = [\n        " + ",\n        ".join(rows) + ",\n    ]")
else:
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "colormaps.json"), "w") as f:
        json.dump(maps, f)
