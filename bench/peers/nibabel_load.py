#!/usr/bin/env python3
"""nibabel + NumPy timing of the nifti_load workload: read a .nii.gz (the path is the first
argument) into an array, median of 5 runs after 2 warm-ups, as bench/Sources/DataWorkloads.swift."""
import json
import sys

import nibabel as nib
import numpy as np
from timing import median_seconds

path = sys.argv[1]
seconds = median_seconds(lambda: np.asanyarray(nib.load(path).dataobj))
print(json.dumps({"workload": "nifti_load", "seconds": seconds, "peer": "nibabel " + nib.__version__}))
