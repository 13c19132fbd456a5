"""Runs imcc's CrossSim configurations through the real CrossSim 3.2 (test/emit/configs/crosssim.test.ts).

Reads one job file (JSON) and prints one JSON result line. For every config file listed under "load": loads it
with CrossSimParameters.from_json and validates it. For every layer listed under "layers": builds an AnalogCore
from the config and the layer's integer weights (outputs x rows), multiplies the layer's input vectors (one per
column) once with noise and resistances switched off, and once as configured but without the ADC and floored to
integers per array (imcc analyze measures its column error so: before the ADC, on the floored tile product), and reports the errors against the exact integer product in
accumulator units (after the config's outputScale).
"""
import json
import os
import sys
import tempfile

import numpy as np
from simulator import AnalogCore, CrossSimParameters

CHIPS = 8
IDEAL = {"enable": False, "model": "IdealDevice", "magnitude": 0}


def load(path):
    params = CrossSimParameters.from_json(path)
    params.validate()
    return params


def variant(path, tmp, name, ideal_devices=False, adc=True):
    tree = json.load(open(path))
    if ideal_devices:
        device = tree["xbar"]["device"]
        device["read_noise"] = dict(IDEAL)
        device["programming_error"] = dict(IDEAL)
        tree["xbar"]["array"]["parasitics"]["enable"] = False
    if not adc:
        for op in ("mvm", "vmm"):
            tree["xbar"]["adc"][op]["bits"] = 0
    out = os.path.join(tmp, name + "_" + os.path.basename(path))
    with open(out, "w") as f:
        json.dump(tree, f)
    return load(out)


def floored_product(W, X, params, scale, rows_per_array):
    """The product of each array (CrossSim's EQUAL row split) floored to an integer, then summed."""
    core = AnalogCore(W, params)
    rows = W.shape[1]
    parts = -(-rows // rows_per_array)
    bounds = [round(k * rows / parts) for k in range(parts + 1)]
    total = 0
    for a, b in zip(bounds, bounds[1:]):
        x = np.zeros_like(X)
        x[a:b] = X[a:b]
        # The epsilon keeps an ideal float result such as 4.9999999 on its integer.
        total = total + np.floor((core @ x) * scale + 1e-6)
    return total


def main():
    job = json.load(open(sys.argv[1]))
    np.random.seed(job.get("seed", 1))
    loaded = [load(p) and p for p in job["load"]]
    layers = []
    with tempfile.TemporaryDirectory() as tmp:
        for layer in job["layers"]:
            W = np.array(layer["weights"], dtype=float)
            X = np.array(layer["inputs"], dtype=float)
            exact = W @ X
            scale = layer["outputScale"]
            ideal = (AnalogCore(W, variant(layer["config"], tmp, "ideal", ideal_devices=True)) @ X) * scale
            # Before the ADC, like imcc analyze's column error.
            # Several programmed arrays ("chips"), pooled, so small layers give a stable figure. Floored to integers
            # per array, as imcc analyze measures its tile products.
            noisy_params = variant(layer["config"], tmp, "noisy", adc=False)
            noisy = np.stack([floored_product(W, X, noisy_params, scale, layer["rowsPerArray"]) for _ in range(CHIPS)])
            rms_exact = float(np.sqrt(np.mean(exact**2)))
            layers.append(
                {
                    "layer": layer["layer"],
                    "idealMaxError": float(np.abs(ideal - exact).max()),
                    "noisyRmsError": float(np.sqrt(np.mean((noisy - exact) ** 2))),
                    "rmsExact": rms_exact,
                }
            )
    print(json.dumps({"loaded": len(loaded), "layers": layers}))


main()
