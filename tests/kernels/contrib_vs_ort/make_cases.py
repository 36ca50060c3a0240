#!/usr/bin/python3
"""Writes single-node ONNX models of the com.microsoft contrib ops (and ORT's ONNX-domain contrib norms) with random
float32 inputs, for compare_ort.js to run in ONNX Runtime (onnxruntime-node) and in onyx.

    /usr/bin/python3 tests/kernels/contrib_vs_ort/make_cases.py OUT_DIR

For each case: OUT_DIR/<case>/model.onnx, input_<name>.npy per graph input, and OUT_DIR/cases.json listing
{name, outputs}. Inputs are seeded (numpy default_rng(case index)), so reruns give the same files.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

MS = "com.microsoft"
CASES = []


def case(name, op, inputs, outputs, attrs=None, domain=MS, opset=17, out_types=None):
    """inputs: list of (name, array) or None for an omitted optional input; outputs: names ('' = not requested)."""
    CASES.append(dict(name=name, op=op, inputs=inputs, outputs=outputs, attrs=attrs or {}, domain=domain,
                      opset=opset, out_types=out_types or {}))


def write(out_dir):
    listing = []
    for c in CASES:
        d = os.path.join(out_dir, c["name"])
        os.makedirs(d, exist_ok=True)
        in_names, graph_inputs = [], []
        for item in c["inputs"]:
            if item is None:
                in_names.append("")
                continue
            n, a = item
            in_names.append(n)
            etype = {np.float32: TensorProto.FLOAT, np.int32: TensorProto.INT32,
                     np.int64: TensorProto.INT64}[a.dtype.type]
            graph_inputs.append(helper.make_tensor_value_info(n, etype, list(a.shape)))
            np.save(os.path.join(d, f"input_{n}.npy"), np.ascontiguousarray(a))
        outs = [o for o in c["outputs"] if o]
        graph_outputs = [helper.make_tensor_value_info(o, c["out_types"].get(o, TensorProto.FLOAT), None) for o in outs]
        while in_names and in_names[-1] == "":
            in_names.pop()
        out_names = list(c["outputs"])
        while out_names and out_names[-1] == "":
            out_names.pop()
        node = helper.make_node(c["op"], in_names, out_names, domain=c["domain"], **c["attrs"])
        graph = helper.make_graph([node], c["name"], graph_inputs, graph_outputs)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", c["opset"]),
                                                        helper.make_opsetid(MS, 1)])
        model.ir_version = 8
        onnx.save(model, os.path.join(d, "model.onnx"))
        listing.append({"name": c["name"], "outputs": outs})
    with open(os.path.join(out_dir, "cases.json"), "w") as f:
        json.dump(listing, f, indent=1)


def rnd(rng, *shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def elementwise_and_norm_cases():
    rng = np.random.default_rng(1)
    x = rnd(rng, 2, 5, 19, lo=-5, hi=5)
    b = rnd(rng, 19)
    case("gelu", "Gelu", [("X", x)], ["Y"])
    case("fast_gelu", "FastGelu", [("X", x)], ["Y"])
    case("fast_gelu_bias", "FastGelu", [("X", x), ("bias", b)], ["Y"])
    case("bias_gelu", "BiasGelu", [("A", x), ("B", b)], ["C"])

    x = rnd(rng, 3, 4, 33, lo=-3, hi=3)
    g, be, bi = rnd(rng, 33), rnd(rng, 33), rnd(rng, 33)
    case("layer_norm_opset16", "LayerNormalization", [("X", x), ("scale", g), ("B", be)], ["Y", "mean", "inv_std"],
         attrs={"axis": -1, "epsilon": 1e-5}, domain="", opset=16)
    case("simplified_layer_norm", "SimplifiedLayerNormalization", [("X", x), ("scale", g)], ["Y", "inv_std_var"],
         attrs={"axis": -1, "epsilon": 1e-6}, domain="")
    x4 = rnd(rng, 2, 3, 4, 5)
    case("simplified_layer_norm_axis2", "SimplifiedLayerNormalization", [("X", x4), ("scale", rnd(rng, 4, 5))], ["Y"],
         attrs={"axis": 2, "epsilon": 1e-5}, domain="")
    skip = rnd(rng, 3, 4, 33, lo=-3, hi=3)
    case("skip_ln_full", "SkipLayerNormalization", [("input", x), ("skip", skip), ("gamma", g), ("beta", be),
                                                    ("bias", bi)], ["out", "", "", "sum"], attrs={"epsilon": 1e-5})
    case("skip_ln_skip_1sh", "SkipLayerNormalization", [("input", x), ("skip", rnd(rng, 1, 4, 33)), ("gamma", g),
                                                        ("beta", be)], ["out"], attrs={"epsilon": 1e-5})
    case("skip_ln_skip_sh", "SkipLayerNormalization", [("input", x), ("skip", rnd(rng, 4, 33)), ("gamma", g)],
         ["out"], attrs={"epsilon": 1e-12})
    case("skip_simplified_ln", "SkipSimplifiedLayerNormalization", [("input", x), ("skip", skip), ("gamma", g),
                                                                   ("bias", bi)], ["out", "", "", "sum"],
         attrs={"epsilon": 1e-6})
    case("skip_simplified_ln_nobias", "SkipSimplifiedLayerNormalization", [("input", x), ("skip", skip),
                                                                          ("gamma", g)], ["out"])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_cases.py OUT_DIR")
    elementwise_and_norm_cases()
    for extra in ("embed_cases", "attention_cases", "mha_cases"):
        if extra in globals():
            globals()[extra]()
    write(sys.argv[1])


if __name__ == "__main__":
    main()
