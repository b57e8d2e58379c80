#!/usr/bin/env python3
"""Writes written_by_safetensors.safetensors with Hugging Face's safetensors package: one
tensor of each dtype Scry reads, and metadata. The tests read it back value by value."""
import numpy as np
from safetensors.numpy import save_file

tensors = {
    "enc.0.conv1.weight": np.arange(24, dtype=np.float32).reshape(2, 3, 2, 2) / 8 - 1,
    "enc.0.conv1.bias": np.array([0.5, -0.25], dtype=np.float32),
    "step": np.array(7, dtype=np.int64),
    "indices": np.array([[1, -2], [3, 4]], dtype=np.int64),
    "mask": np.array([True, False, True]),
}
save_file(tensors, "written_by_safetensors.safetensors", metadata={"format": "pt", "epoch": "3"})
