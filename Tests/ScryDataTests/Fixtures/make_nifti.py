#!/usr/bin/env python3
"""Writes small NIfTI files with nibabel and nifti_reference.json with what nibabel reads back
from each: shape (nibabel's axis order), zooms, affine, dtype and a few voxel values (after
scl_slope/scl_inter). Covers every datatype Scry reads, both byte orders, NIfTI-2, 4D, 2D,
gzip and an .hdr/.img pair; plus corrupted files for the error tests."""
import json
import os
import shutil

import nibabel as nib
import numpy as np

rng = np.random.default_rng(7)
reference = {}


def affine():
    a = np.eye(4)
    a[:3, :3] = np.array([[0.9, 0.1, 0.0], [-0.1, 0.9, 0.05], [0.0, -0.05, 1.2]])
    a[:3, 3] = [-10.5, 20.25, 3.0]
    return a


def record(name, img):
    loaded = nib.load(name)
    data = np.asanyarray(loaded.dataobj).astype(np.float64) if loaded.header.get_slope_inter()[0] is None else loaded.get_fdata()
    flat = data.reshape(-1, order="F")
    picks = sorted({0, 1, flat.size // 3, flat.size // 2, flat.size - 1})
    reference[name] = {"shape": list(loaded.shape), "zooms": [float(z) for z in loaded.header.get_zooms()],
                       "affine": loaded.affine.tolist(), "dtype": str(loaded.get_data_dtype().newbyteorder("=")),
                       "fortran_indices": picks, "values": [float(flat[i]) for i in picks],
                       "sum": float(data.sum()), "qform_code": int(loaded.header["qform_code"]),
                       "sform_code": int(loaded.header["sform_code"])}


shape = (5, 4, 3)
for dtype in ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64"]:
    info = np.iinfo(dtype) if dtype[0] in "ui" else None
    values = rng.integers(max(info.min, -100), min(info.max, 200), shape) if info else rng.normal(0, 50, shape)
    img = nib.Nifti1Image(values.astype(dtype), affine())
    img.header.set_zooms((0.9, 0.92, 1.2))
    name = f"{dtype}.nii"
    nib.save(img, name)
    record(name, img)

# Big-endian, with scaling.
big = nib.Nifti1Image(rng.integers(0, 1000, shape).astype(">i2"), affine())
big.header.set_slope_inter(0.5, -3)
nib.save(big, "int16_bigendian_scaled.nii")
record("int16_bigendian_scaled.nii", big)

# NIfTI-2, 4D (channels), 2D with a singleton third axis, gzip, and an .hdr/.img pair (qform only).
n2 = nib.Nifti2Image(rng.normal(size=shape).astype("float32"), affine())
nib.save(n2, "float32_nifti2.nii")
record("float32_nifti2.nii", n2)
four = nib.Nifti1Image(rng.normal(size=(4, 3, 2, 2)).astype("float32"), np.diag([2.0, 2.0, 3.0, 1.0]))
nib.save(four, "four_d.nii.gz")
record("four_d.nii.gz", four)
flat2d = nib.Nifti1Image(rng.integers(0, 3, (6, 5, 1)).astype("uint8"), np.diag([0.5, 0.5, 1.0, 1.0]))
nib.save(flat2d, "label_2d.nii.gz")
record("label_2d.nii.gz", flat2d)
pair = nib.Nifti1Pair(rng.normal(size=shape).astype("float32"), None)
pair.header.set_qform(affine(), code=1)
pair.header.set_sform(None, code=0)
nib.save(pair, "pair.hdr")
record("pair.hdr", pair)

# Corrupted files: truncated data, a text file named .nii, a header whose sizes disagree.
raw = open("float32.nii", "rb").read()
open("truncated.nii", "wb").write(raw[: len(raw) - 40])
open("not_nifti.nii", "w").write("this is not an image\n")
bad = bytearray(raw)
bad[42:44] = (30000).to_bytes(2, "little")  # dim[1] far larger than the data
open("bad_dims.nii", "wb").write(bytes(bad))

json.dump(reference, open("nifti_reference.json", "w"), indent=1, sort_keys=True)
print(len(reference), "files;", sum(os.path.getsize(f) for f in os.listdir(".")), "bytes")
