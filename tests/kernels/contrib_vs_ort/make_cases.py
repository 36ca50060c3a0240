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
import onnx.numpy_helper
from onnx import TensorProto, helper

MS = "com.microsoft"
CASES = []


def case(name, op, inputs, outputs, attrs=None, domain=MS, opset=17, out_types=None, constants=()):
    """inputs: list of (name, array) or None for an omitted optional input; outputs: names ('' = not requested);
    constants: input names stored as initializers (kernels may pack them) instead of graph inputs."""
    CASES.append(dict(name=name, op=op, inputs=inputs, outputs=outputs, attrs=attrs or {}, domain=domain,
                      opset=opset, out_types=out_types or {}, constants=set(constants)))


def write(out_dir):
    listing = []
    for c in CASES:
        d = os.path.join(out_dir, c["name"])
        os.makedirs(d, exist_ok=True)
        in_names, graph_inputs, initializers = [], [], []
        for item in c["inputs"]:
            if item is None:
                in_names.append("")
                continue
            n, a = item
            in_names.append(n)
            if n in c["constants"]:
                initializers.append(onnx.numpy_helper.from_array(np.ascontiguousarray(a), n))
                continue
            etype = {np.float32: TensorProto.FLOAT, np.int32: TensorProto.INT32, np.int64: TensorProto.INT64,
                     np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8}[a.dtype.type]
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
        graph = helper.make_graph([node], c["name"], graph_inputs, graph_outputs, initializer=initializers)
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
    case("skip_ln_stats", "SkipLayerNormalization", [("input", x), ("skip", skip), ("gamma", g), ("beta", be)],
         ["out", "mean", "inv_std_var"], attrs={"epsilon": 1e-5})
    case("skip_simplified_ln_stats", "SkipSimplifiedLayerNormalization", [("input", x), ("skip", skip), ("gamma", g)],
         ["out", "", "inv_std_var"], attrs={"epsilon": 1e-5})
    case("skip_ln_skip_1sh", "SkipLayerNormalization", [("input", x), ("skip", rnd(rng, 1, 4, 33)), ("gamma", g),
                                                        ("beta", be)], ["out"], attrs={"epsilon": 1e-5})
    case("skip_ln_skip_sh", "SkipLayerNormalization", [("input", x), ("skip", rnd(rng, 4, 33)), ("gamma", g)],
         ["out"], attrs={"epsilon": 1e-12})
    case("skip_simplified_ln", "SkipSimplifiedLayerNormalization", [("input", x), ("skip", skip), ("gamma", g),
                                                                   ("bias", bi)], ["out", "", "", "sum"],
         attrs={"epsilon": 1e-6})
    case("skip_simplified_ln_nobias", "SkipSimplifiedLayerNormalization", [("input", x), ("skip", skip),
                                                                          ("gamma", g)], ["out"])


def embed_cases():
    rng = np.random.default_rng(2)
    b, s, h = 3, 6, 20
    ids = rng.integers(0, 30, size=(b, s)).astype(np.int32)
    seg = rng.integers(0, 2, size=(b, s)).astype(np.int32)
    word, pos, segm = rnd(rng, 30, h), rnd(rng, 16, h), rnd(rng, 2, h)
    g, be = rnd(rng, h), rnd(rng, h)
    mask = np.array([[1] * 6, [1] * 4 + [0] * 2, [1] * 1 + [0] * 5], dtype=np.int32)
    i32 = {"mask_index": TensorProto.INT32}
    case("embed_ln_full", "EmbedLayerNormalization",
         [("ids", ids), ("seg", seg), ("word", word), ("pos", pos), ("segm", segm), ("gamma", g), ("beta", be),
          ("mask", mask)], ["out", "mask_index", "emb_sum"], attrs={"epsilon": 1e-5}, out_types=i32)
    case("embed_ln_no_segment", "EmbedLayerNormalization",
         [("ids", ids), None, ("word", word), ("pos", pos), None, ("gamma", g), ("beta", be)],
         ["out", "mask_index"], attrs={"epsilon": 1e-12}, out_types=i32)
    pids = rng.integers(0, 16, size=(b, s)).astype(np.int32)
    case("embed_ln_position_ids", "EmbedLayerNormalization",
         [("ids", ids), ("seg", seg), ("word", word), ("pos", pos), ("segm", segm), ("gamma", g), ("beta", be),
          ("mask", mask), ("pids", pids)], ["out", "mask_index"], attrs={"epsilon": 1e-5}, out_types=i32)


def attention_cases():
    rng = np.random.default_rng(3)
    b, s, n, dh = 2, 5, 3, 8
    hid = n * dh
    x = rnd(rng, b, s, hid)
    w = rnd(rng, hid, 3 * hid, lo=-0.5, hi=0.5)
    bias = rnd(rng, 3 * hid)
    base = [("input", x), ("weights", w), ("bias", bias)]
    heads = {"num_heads": n}
    case("attention_no_mask", "Attention", base, ["out"], attrs=heads)
    # Not here (covered by contrib_attention_test.cc only): Attention without its bias input (onnxruntime-node 1.30
    # crashes with a segmentation fault) and the 4-D mask (ORT's CPU kernel returns "4D mask in attention cpu kernel
    # is not supported").
    case("attention_mask_1d_end", "Attention", base + [("mask", np.array([5, 3], np.int32))], ["out"], attrs=heads)
    case("attention_mask_1d_end_start", "Attention", base + [("mask", np.array([5, 4, 0, 2], np.int32))], ["out"],
         attrs=heads)
    raw2 = np.array([[1, 1, 1, 0, 0], [0, 0, 0, 0, 0]], np.int32)  # batch 1 fully masked
    case("attention_mask_2d_fully_masked", "Attention", base + [("mask", raw2)], ["out"], attrs=heads)
    raw3 = (rng.uniform(size=(b, s, s)) > 0.4).astype(np.int32)
    raw3[1, 2, :] = 0
    case("attention_mask_3d", "Attention", base + [("mask", raw3)], ["out"], attrs=heads)
    case("attention_unidirectional", "Attention", base, ["out"], attrs=dict(heads, unidirectional=1))
    p = 3
    past = rnd(rng, 2, b, n, p, dh)
    raw_t = np.array([[1] * 8, [1] * 6 + [0] * 2], np.int32)
    case("attention_past3_unidirectional_mask2d", "Attention", base + [("mask", raw_t), ("past", past)],
         ["out", "present"], attrs=dict(heads, unidirectional=1))
    case("attention_past0", "Attention", base + [None, ("past", rnd(rng, 2, b, n, 0, dh))], ["out", "present"],
         attrs=heads)
    x1 = rnd(rng, b, 1, hid)
    past4 = rnd(rng, 2, b, n, 4, dh)
    case("attention_s1_past4_unidirectional", "Attention",
         [("input", x1), ("weights", w), ("bias", bias), ("mask", np.array([5, 3], np.int32)), ("past", past4)],
         ["out", "present"], attrs=dict(heads, unidirectional=1))
    case("attention_bias_bcast_batch", "Attention", base + [None, None, ("ab", rnd(rng, 1, n, s, s, lo=-2, hi=2))],
         ["out"], attrs=heads)
    case("attention_bias_bcast_heads_mask", "Attention",
         base + [("mask", np.array([4, 5], np.int32)), None, ("ab", rnd(rng, b, 1, s, s, lo=-2, hi=2))], ["out"],
         attrs=heads)
    wq = rnd(rng, hid, 2 * hid + 12, lo=-0.5, hi=0.5)
    case("attention_qkv_hidden_sizes", "Attention", [("input", x), ("weights", wq), ("bias", rnd(rng, 2 * hid + 12))],
         ["out"], attrs=dict(heads, qkv_hidden_sizes=[hid, hid, 12]))
    case("attention_fully_masked_unidirectional_bias", "Attention",
         base + [("mask", raw2), None, ("ab", rnd(rng, 1, n, s, s, lo=-2, hi=2))], ["out"],
         attrs=dict(heads, unidirectional=1))
    case("attention_unidirectional_small_filter", "Attention", base + [("mask", raw2)], ["out"],
         attrs=dict(heads, unidirectional=1, mask_filter_value=-1.0))
    small = dict(heads, mask_filter_value=-1.0)
    case("attention_small_filter_1d_end_start", "Attention", base + [("mask", np.array([5, 4, 0, 2], np.int32))],
         ["out"], attrs=small)
    case("attention_small_filter_3d_past", "Attention",
         base + [("mask", (rng.uniform(size=(b, s, s + p)) > 0.4).astype(np.int32)), ("past", past)],
         ["out", "present"], attrs=small)  # ORT wants present whenever past is given
    case("attention_scale_filter", "Attention", base + [("mask", raw2)], ["out"],
         attrs=dict(heads, scale=0.2, mask_filter_value=-1000.0))
    xo = rnd(rng, 3, 7, 10)  # odd sizes: 5 heads of 2
    case("attention_odd_sizes", "Attention", [("input", xo), ("weights", rnd(rng, 10, 30)), ("bias", rnd(rng, 30)),
                                               ("mask", np.array([7, 1, 4], np.int32))], ["out"],
         attrs={"num_heads": 5})


def mha_cases():
    rng = np.random.default_rng(4)
    b, s, l, n, dh, dvh = 2, 5, 7, 4, 6, 4
    d, dv = n * dh, n * dvh
    q, k, v = rnd(rng, b, s, d), rnd(rng, b, l, d), rnd(rng, b, l, dv)
    bias = rnd(rng, 2 * d + dv)
    heads = {"num_heads": n}
    case("mha_cross", "MultiHeadAttention", [("q", q), ("k", k), ("v", v)], ["out"], attrs=heads)
    case("mha_bias", "MultiHeadAttention", [("q", q), ("k", k), ("v", v), ("bias", bias)], ["out"], attrs=heads)
    kpm = np.array([[1] * 5 + [0] * 2, [0] * 7], np.int32)  # batch 1 fully masked
    case("mha_key_padding_2d", "MultiHeadAttention", [("q", q), ("k", k), ("v", v), ("bias", bias), ("kpm", kpm)],
         ["out"], attrs=heads)
    case("mha_key_padding_1d", "MultiHeadAttention",
         [("q", q), ("k", k), ("v", v), None, ("kpm", np.array([7, 3], np.int32))], ["out"], attrs=heads)
    kpm3 = (rng.uniform(size=(b, s, l)) > 0.3).astype(np.int32)
    case("mha_key_padding_3d", "MultiHeadAttention", [("q", q), ("k", k), ("v", v), None, ("kpm", kpm3)], ["out"],
         attrs=heads)
    case("mha_attention_bias_bcast", "MultiHeadAttention",
         [("q", q), ("k", k), ("v", v), None, None, ("ab", rnd(rng, 1, n, s, l, lo=-2, hi=2))], ["out"], attrs=heads)
    case("mha_attention_bias_heads1", "MultiHeadAttention",
         [("q", q), ("k", k), ("v", v), None, ("kpm", kpm), ("ab", rnd(rng, b, 1, s, l, lo=-2, hi=2))], ["out"],
         attrs=heads)
    # With past (and with 4-D key/value) ORT wants the value head size equal to the key's.
    dv = d
    bias = rnd(rng, 3 * d)
    ks, vs = rnd(rng, b, s, d), rnd(rng, b, s, dv)
    p = 3
    pk, pv = rnd(rng, b, n, p, dh), rnd(rng, b, n, p, dh)
    case("mha_past3_unidirectional", "MultiHeadAttention",
         [("q", q), ("k", ks), ("v", vs), ("bias", bias), None, None, ("pk", pk), ("pv", pv)],
         ["out", "present_k", "present_v"], attrs=dict(heads, unidirectional=1))
    case("mha_past0", "MultiHeadAttention",
         [("q", q), ("k", ks), ("v", vs), None, None, None, ("pk", rnd(rng, b, n, 0, dh)),
          ("pv", rnd(rng, b, n, 0, dh))], ["out", "present_k", "present_v"], attrs=heads)
    q1, k1, v1 = rnd(rng, b, 1, d), rnd(rng, b, 1, d), rnd(rng, b, 1, dv)
    pk6, pv6 = rnd(rng, b, n, 6, dh), rnd(rng, b, n, 6, dh)
    case("mha_s1_past6_unidirectional_mask", "MultiHeadAttention",
         [("q", q1), ("k", k1), ("v", v1), None, ("kpm", np.array([[1] * 7, [1] * 5 + [0] * 2], np.int32)), None,
          ("pk", pk6), ("pv", pv6)], ["out", "present_k", "present_v"], attrs=dict(heads, unidirectional=1))
    kpm5 = np.array([[1, 1, 1, 0, 0], [0] * 5], np.int32)
    case("mha_unidirectional_self", "MultiHeadAttention", [("q", q), ("k", ks), ("v", vs)], ["out"],
         attrs=dict(heads, unidirectional=1))
    case("mha_unidirectional_small_filter", "MultiHeadAttention", [("q", q), ("k", ks), ("v", vs), None, ("kpm", kpm5)],
         ["out"], attrs=dict(heads, unidirectional=1, mask_filter_value=-1.0))
    case("mha_small_filter_1d", "MultiHeadAttention", [("q", q), ("k", k), ("v", v), None,
                                                       ("kpm", np.array([6, 2], np.int32))], ["out"],
         attrs=dict(heads, mask_filter_value=-1.0))
    case("mha_bnsh_kv", "MultiHeadAttention", [("q", q), ("k", rnd(rng, b, n, l, dh)), ("v", rnd(rng, b, n, l, dh))],
         ["out"], attrs=dict(heads, scale=0.3))


def q8(rng, *shape, signed=True):
    lo, hi = (-128, 127) if signed else (0, 255)
    return rng.integers(lo, hi + 1, size=shape).astype(np.int8 if signed else np.uint8)


def quant_cases():
    """DynamicQuantizeMatMul, MatMulIntegerToFloat, QAttention (constant weights: onyx's packed variant; run-time
    ones: its per-run one). Tolerance, the suite's 1e-5: onyx and ORT compute the same int32 sums (for
    DynamicQuantizeMatMul from the same uint8 activation: both quantize as DynamicQuantizeLinear does) and differ
    only in the final float scaling (onyx: fma(acc, scale_a * scale_b, bias); ORT: acc * (scale_a * scale_b) + bias),
    a few ulp of outputs |y| < 64 (ulp <= 2^-18 = 3.8e-6; measured <= 3.8e-6). One activation value quantized
    differently would cost scale_a * scale_b * |B| ~ 1e-2, far above it. QAttention adds the attention core's fp32
    rounding, as the Attention cases (1e-5)."""
    rng = np.random.default_rng(5)
    k, n = 40, 24
    a = rnd(rng, 2, 3, k, lo=-3, hi=2)
    b8, bu8 = q8(rng, k, n), q8(rng, k, n, signed=False)
    col_scale = rng.uniform(0.001, 0.02, size=n).astype(np.float32)
    # A per-tensor parameter as a [1] tensor (ORT takes scalars or [1]; ort_compare.js hands 0-d inputs to onyx as [1]).
    one = lambda v, t=np.float32: np.array([v], dtype=t)  # noqa: E731
    bias = rnd(rng, n)
    case("dqmm_const_s8_per_column_bias", "DynamicQuantizeMatMul",
         [("A", a), ("B", b8), ("b_scale", col_scale), None, ("bias", bias)], ["Y"], constants=("B", "b_scale", "bias"))
    case("dqmm_s8_per_tensor", "DynamicQuantizeMatMul", [("A", a), ("B", b8), ("b_scale", one(0.01))], ["Y"])
    case("dqmm_const_u8_zero_point", "DynamicQuantizeMatMul",
         [("A", a), ("B", bu8), ("b_scale", one(0.004)), ("b_zp", one(131, np.uint8))], ["Y"],
         constants=("B", "b_scale", "b_zp"))
    zp_col = rng.integers(120, 136, size=n).astype(np.uint8)
    case("dqmm_u8_per_column_zero_point", "DynamicQuantizeMatMul",
         [("A", a), ("B", bu8), ("b_scale", col_scale), ("b_zp", zp_col), ("bias", bias)], ["Y"])
    case("dqmm_positive_a", "DynamicQuantizeMatMul", [("A", rnd(rng, 5, k, lo=0.1, hi=4)), ("B", b8),
                                                      ("b_scale", col_scale)], ["Y"], constants=("B", "b_scale"))
    case("dqmm_batched_b", "DynamicQuantizeMatMul",
         [("A", rnd(rng, 2, 3, k)), ("B", q8(rng, 2, k, n)), ("b_scale", one(0.01))], ["Y"])

    au8 = q8(rng, 3, 4, k, signed=False)
    case("mitf_const_s8_per_column", "MatMulIntegerToFloat",
         [("A", au8), ("B", b8), ("a_scale", one(0.03)), ("b_scale", col_scale), ("a_zp", one(119, np.uint8)), None,
          ("bias", bias)], ["Y"], constants=("B", "b_scale", "bias"))
    case("mitf_u8_zero_points", "MatMulIntegerToFloat",
         [("A", au8), ("B", bu8), ("a_scale", one(0.02)), ("b_scale", one(0.005)), ("a_zp", one(128, np.uint8)),
          ("b_zp", zp_col)], ["Y"])

    bsz, s, heads, dh, din = 2, 5, 3, 8, 20
    hid = heads * dh
    x = q8(rng, bsz, s, din, signed=False)
    w8, wu8 = q8(rng, din, 3 * hid), q8(rng, din, 3 * hid, signed=False)
    qbias = rnd(rng, 3 * hid)
    wcol = rng.uniform(0.002, 0.01, size=3 * hid).astype(np.float32)
    base = [("input", x), ("weight", w8), ("bias", qbias), ("input_scale", one(0.02)), ("weight_scale", wcol)]
    heads_attr = {"num_heads": heads}
    case("qattention_const_s8_per_column", "QAttention", base + [None, ("input_zp", one(121, np.uint8))], ["out"],
         attrs=heads_attr, constants=("weight", "bias", "weight_scale"))
    case("qattention_u8_zero_points_mask_1d", "QAttention",
         [("input", x), ("weight", wu8), ("bias", qbias), ("input_scale", one(0.02)), ("weight_scale", one(0.004)),
          ("mask", np.array([5, 3], np.int32)), ("input_zp", one(128, np.uint8)), ("weight_zp", one(126, np.uint8))],
         ["out"], attrs=heads_attr, constants=("weight", "weight_scale", "weight_zp"))
    raw2 = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], np.int32)
    case("qattention_mask_2d_unidirectional", "QAttention", base + [("mask", raw2)], ["out"],
         attrs=dict(heads_attr, unidirectional=1))
    past = rnd(rng, 2, bsz, heads, 3, dh)
    case("qattention_past_present", "QAttention",
         base + [("mask", np.array([[1] * 8, [1] * 6 + [0] * 2], np.int32)), None, None, ("past", past)],
         ["out", "present"], attrs=dict(heads_attr, unidirectional=1), constants=("weight", "weight_scale"))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_cases.py OUT_DIR")
    elementwise_and_norm_cases()
    for extra in ("embed_cases", "attention_cases", "mha_cases", "quant_cases"):
        if extra in globals():
            globals()[extra]()
    write(sys.argv[1])


if __name__ == "__main__":
    main()
