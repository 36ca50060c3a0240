#!/usr/bin/python3
"""Fixtures of tests/models/quant_interop_test.js, part (b): INT8 models in the formats ONNX Runtime's quantization
tool writes, built by hand with onnx.helper (ORT's Python quantization tool is not installed here), with their
inputs and reference outputs computed in numpy from the ONNX operator definitions.

    /usr/bin/python3 tests/models/quant_interop/make_fixtures.py [--out tests/models/quant_interop]

Deterministic (seeded numpy, float32 arithmetic): rerunning it reproduces the same bytes. Each model is a
two-layer MLP on x [batch 2, seq 5, 32] (32 -> 48 -> Relu -> 16), opset 13, written as <name>/model.onnx with
<name>/input_x.npy and <name>/output_y.npy:

  ort_dynamic_matmulinteger   ORT quantize_dynamic's QOperator MatMul pattern (weight_type QUInt8, per-tensor):
                                x -> DynamicQuantizeLinear -> (x_q, x_scale, x_zp)
                                MatMulInteger(x_q, W_q uint8, x_zp, W_zp uint8) -> Cast(float)
                                Mul(x_scale, W_scale) -> Mul(cast, multiplier) -> Add(bias)
  ort_static_qdq              ORT quantize_static's QDQ format (activations QUInt8 per tensor from calibration,
                              weights QInt8 per channel, symmetric):
                                x -> QuantizeLinear -> DequantizeLinear -> MatMul(., DequantizeLinear(W_q int8,
                                W_scale[N], W_zp int8[N], axis=1)) -> Add(bias) -> QuantizeLinear -> DequantizeLinear
  ort_qlinearmatmul           QOperator static: x -> QuantizeLinear(uint8) -> QLinearMatMul(x_q, W_q int8 per tensor,
                              y uint8) -> DequantizeLinear, per layer (Relu in fp32 between the layers)

Reference outputs: numpy re-implementations of the ONNX definitions (round half to even, saturation, int32
accumulation, float32 scales); the test checks ONNX Runtime against them too, so a wrong reference fails the test.
"""

import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 7  # issue #7
K, H, N = 32, 48, 16
SHAPE = (2, 5, K)
OPSET = 13
F32 = np.float32


# ---------------------------------------------------------------------------------------------------------------
# numpy references of the ONNX operators
# ---------------------------------------------------------------------------------------------------------------

def quantize_linear(x, scale, zp, dtype):
    info = np.iinfo(dtype)
    q = np.rint(x.astype(F32) / F32(scale)) + np.asarray(zp, np.int32)
    return np.clip(q, info.min, info.max).astype(dtype)


def dequantize_linear(q, scale, zp):
    return ((q.astype(np.int32) - np.asarray(zp, np.int32)).astype(F32) * np.asarray(scale, F32)).astype(F32)


def dynamic_quantize_linear(x):
    """ONNX DynamicQuantizeLinear: uint8, range widened to include 0."""
    lo, hi = min(F32(0), x.min()), max(F32(0), x.max())
    scale = F32((hi - lo) / F32(255))
    zp = np.uint8(np.clip(np.rint(F32(0) - lo / scale), 0, 255))
    return quantize_linear(x, scale, zp, np.uint8), scale, zp


def matmul_integer(a_q, a_zp, b_q, b_zp):
    return np.matmul(a_q.astype(np.int32) - np.int32(a_zp), b_q.astype(np.int32) - np.asarray(b_zp, np.int32))


def qlinear_matmul(a_q, a_s, a_zp, b_q, b_s, b_zp, y_s, y_zp):
    """uint8 output: the int32 accumulator requantized with the multiplier a_s * b_s / y_s."""
    acc = matmul_integer(a_q, a_zp, b_q, b_zp).astype(F32)
    multiplier = F32(a_s) * F32(b_s) / F32(y_s)
    return np.clip(np.rint(acc * multiplier) + np.int32(y_zp), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------------------------------------------
# weight quantization as ORT's quantizer does it
# ---------------------------------------------------------------------------------------------------------------

def quantize_weight_uint8_per_tensor(w):
    """QUInt8, asymmetric, range widened to include 0 (ORT quantize_data with reduce_range off)."""
    lo, hi = min(F32(0), w.min()), max(F32(0), w.max())
    scale = F32((hi - lo) / F32(255))
    zp = np.uint8(np.clip(np.rint(-lo / scale), 0, 255))
    return quantize_linear(w, scale, zp, np.uint8), scale, zp


def quantize_weight_int8_symmetric(w, axis=None):
    """QInt8 symmetric (zero point 0, scale max|w| / 127), per tensor or per slice along `axis` (1: columns)."""
    amax = np.abs(w).max() if axis is None else np.abs(w).max(axis=0)
    scale = (amax / F32(127)).astype(F32)
    zp = np.zeros_like(scale, dtype=np.int8)
    return quantize_linear(w, scale, zp, np.int8), scale, zp


def activation_qparams(lo, hi):
    """uint8 asymmetric parameters of a calibrated range [lo, hi] (widened to include 0)."""
    lo, hi = min(F32(0), F32(lo)), max(F32(0), F32(hi))
    scale = F32((hi - lo) / F32(255))
    return scale, np.uint8(np.clip(np.rint(-lo / scale), 0, 255))


# ---------------------------------------------------------------------------------------------------------------
# models
# ---------------------------------------------------------------------------------------------------------------

def init(name, value):
    return numpy_helper.from_array(np.asarray(value), name)


def model_proto(name, nodes, inits):
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq", K])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "seq", N])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="onyx-quant-fixtures")
    m.ir_version = 7
    onnx.checker.check_model(m)
    return m


def weights(rng):
    w1 = (rng.standard_normal((K, H)) * 0.2).astype(F32)
    b1 = (rng.standard_normal(H) * 0.1).astype(F32)
    w2 = (rng.standard_normal((H, N)) * 0.2).astype(F32)
    b2 = (rng.standard_normal(N) * 0.1).astype(F32)
    return [(w1, b1), (w2, b2)]


def two_layers(name, layers, x, layer):
    """The MLP x -> layer 1 -> Relu -> layer 2 -> y. `layer(i, w, b, cur, out, ref)` returns the nodes and
    initializers computing tensor `out` from tensor `cur`, and the numpy reference of `out` from `ref`."""
    nodes, inits, cur, ref = [], [], "x", x
    for i, (w, b) in enumerate(layers, 1):
        out = f"l{i}_out" if i < len(layers) else "y"
        n, t, ref = layer(i, w, b, cur, out, ref)
        nodes += n
        inits += t
        if i < len(layers):
            nodes.append(helper.make_node("Relu", [out], [f"l{i}_relu"], f"l{i}_relu"))
            cur, ref = f"l{i}_relu", np.maximum(ref, F32(0))
    return model_proto(name, nodes, inits), ref


def quantized_weight_inits(i, wq, ws, wzp, b):
    return [init(f"W{i}_quantized", wq), init(f"W{i}_scale", ws), init(f"W{i}_zero_point", wzp), init(f"B{i}", b)]


def activation_inits(p, x_qparams, y_qparams):
    return [init(p + "x_scale", x_qparams[0]), init(p + "x_zero_point", x_qparams[1]),
            init(p + "y_scale", y_qparams[0]), init(p + "y_zero_point", y_qparams[1])]


def dynamic_matmulinteger(layers, x):
    def layer(i, w, b, cur, out, ref):
        wq, ws, wzp = quantize_weight_uint8_per_tensor(w)
        p = f"l{i}_"
        nodes = [
            helper.make_node("DynamicQuantizeLinear", [cur], [p + "x_q", p + "x_scale", p + "x_zp"], p + "dql"),
            helper.make_node("MatMulInteger", [p + "x_q", f"W{i}_quantized", p + "x_zp", f"W{i}_zero_point"],
                             [p + "mm_int32"], p + "matmulinteger"),
            helper.make_node("Cast", [p + "mm_int32"], [p + "mm_float"], p + "cast", to=TensorProto.FLOAT),
            helper.make_node("Mul", [p + "x_scale", f"W{i}_scale"], [p + "multiplier"], p + "mul_scales"),
            helper.make_node("Mul", [p + "mm_float", p + "multiplier"], [p + "mm"], p + "mul_output"),
            helper.make_node("Add", [p + "mm", f"B{i}"], [out], p + "add_bias"),
        ]
        xq, xs, xzp = dynamic_quantize_linear(ref)
        ref = (matmul_integer(xq, xzp, wq, wzp).astype(F32) * (xs * ws)).astype(F32) + b
        return nodes, quantized_weight_inits(i, wq, ws, wzp, b), ref

    return two_layers("ort_dynamic_matmulinteger", layers, x, layer)


def calibrated_ranges(layers, calib):
    """min/max of each layer's input and output over calibration data in fp32 (ORT's MinMax calibrator)."""
    ranges, h = [], calib
    for i, (w, b) in enumerate(layers, 1):
        out = h @ w + b
        ranges.append(((h.min(), h.max()), (out.min(), out.max())))
        h = np.maximum(out, F32(0)) if i == 1 else out
    return ranges


def static_qdq(layers, ranges, x):
    def layer(i, w, b, cur, out, ref):
        wq, ws, wzp = quantize_weight_int8_symmetric(w, axis=1)
        (xs, xzp), (ys, yzp) = activation_qparams(*ranges[i - 1][0]), activation_qparams(*ranges[i - 1][1])
        p = f"l{i}_"
        nodes = [
            helper.make_node("QuantizeLinear", [cur, p + "x_scale", p + "x_zero_point"], [p + "x_q"], p + "x_quant"),
            helper.make_node("DequantizeLinear", [p + "x_q", p + "x_scale", p + "x_zero_point"], [p + "x_dq"],
                             p + "x_dequant"),
            helper.make_node("DequantizeLinear", [f"W{i}_quantized", f"W{i}_scale", f"W{i}_zero_point"],
                             [p + "w_dq"], p + "w_dequant", axis=1),
            helper.make_node("MatMul", [p + "x_dq", p + "w_dq"], [p + "mm"], p + "matmul"),
            helper.make_node("Add", [p + "mm", f"B{i}"], [p + "add"], p + "add_bias"),
            helper.make_node("QuantizeLinear", [p + "add", p + "y_scale", p + "y_zero_point"], [p + "y_q"],
                             p + "y_quant"),
            helper.make_node("DequantizeLinear", [p + "y_q", p + "y_scale", p + "y_zero_point"], [out],
                             p + "y_dequant"),
        ]
        x_dq = dequantize_linear(quantize_linear(ref, xs, xzp, np.uint8), xs, xzp)
        acc = (x_dq @ dequantize_linear(wq, ws, wzp)).astype(F32) + b
        ref = dequantize_linear(quantize_linear(acc, ys, yzp, np.uint8), ys, yzp)
        return nodes, quantized_weight_inits(i, wq, ws, wzp, b) + activation_inits(p, (xs, xzp), (ys, yzp)), ref

    return two_layers("ort_static_qdq", layers, x, layer)


def qlinearmatmul(layers, ranges, x):
    def layer(i, w, b, cur, out, ref):
        # QLinearMatMul has no bias input: the output range is widened by max |bias| and the bias is added in
        # fp32 after DequantizeLinear, so the op itself computes y = x W only.
        wq, ws, wzp = quantize_weight_int8_symmetric(w)
        (lo, hi), bmax = ranges[i - 1][1], np.abs(b).max()
        (xs, xzp), (ys, yzp) = activation_qparams(*ranges[i - 1][0]), activation_qparams(lo - bmax, hi + bmax)
        p = f"l{i}_"
        nodes = [
            helper.make_node("QuantizeLinear", [cur, p + "x_scale", p + "x_zero_point"], [p + "x_q"], p + "x_quant"),
            helper.make_node("QLinearMatMul", [p + "x_q", p + "x_scale", p + "x_zero_point", f"W{i}_quantized",
                                               f"W{i}_scale", f"W{i}_zero_point", p + "y_scale", p + "y_zero_point"],
                             [p + "y_q"], p + "qlinearmatmul"),
            helper.make_node("DequantizeLinear", [p + "y_q", p + "y_scale", p + "y_zero_point"], [p + "y_dq"],
                             p + "y_dequant"),
            helper.make_node("Add", [p + "y_dq", f"B{i}"], [out], p + "add_bias"),
        ]
        yq = qlinear_matmul(quantize_linear(ref, xs, xzp, np.uint8), xs, xzp, wq, ws, wzp, ys, yzp)
        ref = dequantize_linear(yq, ys, yzp) + b
        return nodes, quantized_weight_inits(i, wq, ws, wzp, b) + activation_inits(p, (xs, xzp), (ys, yzp)), ref

    return two_layers("ort_qlinearmatmul", layers, x, layer)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=HERE)
    a = ap.parse_args()
    rng = np.random.default_rng(SEED)
    layers = weights(rng)
    x = rng.standard_normal(SHAPE).astype(F32)
    calib = rng.standard_normal((16,) + SHAPE[1:]).astype(F32)  # 16 calibration sequences, as a calibrator sees
    ranges = calibrated_ranges(layers, calib)
    fp32 = np.maximum(x @ layers[0][0] + layers[0][1], 0) @ layers[1][0] + layers[1][1]
    for model, ref in (dynamic_matmulinteger(layers, x), static_qdq(layers, ranges, x),
                       qlinearmatmul(layers, ranges, x)):
        d = os.path.join(a.out, model.graph.name)
        os.makedirs(d, exist_ok=True)
        onnx.save(model, os.path.join(d, "model.onnx"))
        np.save(os.path.join(d, "input_x.npy"), x)
        np.save(os.path.join(d, "output_y.npy"), ref.astype(F32))
        print(f"{d}: {os.path.getsize(os.path.join(d, 'model.onnx'))} bytes, max |y - fp32 y| "
              f"{np.abs(ref - fp32).max():.4f} (max |y| {np.abs(fp32).max():.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
