// The quant family's com.microsoft kernels (DynamicQuantizeMatMul, MatMulIntegerToFloat, QAttention) and
// KernelInfo::int8_weights (Precision::kInt8) in MatMul, Gemm and Attention.
//
// References, written here from ONNX Runtime's CPU kernels (contrib_ops/cpu/quantization/dynamic_quantize_matmul.cc,
// attention_quant.cc):
//   - the activation's dynamic parameters (DynamicQuantizeMatMul): range [min(min, 0), max(max, 0)],
//     scale = (max - min) / 255 (1 when 0), zero point = round_half_even(clamp(-min / scale, 0, 255)), and
//     q = clamp(round_half_even(x / scale) + zero point, 0, 255), all in float as ORT computes them;
//   - the product in double: y = sum_k (a_q - zp_a) (b_q - zp_b[n]) * scale_a * scale_b[n] + bias[n].
// The kernels sum exactly in int32 and scale in float (fma(acc, scale_a * scale_b[n], bias[n])): two float
// roundings, each <= 2^-24 relative, so |got - want| <= 2^-22 (sum_k |a_k b_k| + |bias|) bounds them (kTol below).
// QAttention's reference is Attention (itself tested against a double reference and ONNX Runtime) on the
// dequantized input and weights, so the mask / past / causal handling is checked to be Attention's.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/ep/cpu/gemm/qgemm.h"
#include "src/ep/cpu/registry.h"
#include "tests/kernels/contrib_test_util.h"
#include "tests/kernels/math_test_util.h"

namespace onyx::test {
namespace {

using contrib::ms_node;
using math::set_float;
using math::set_int;
using math::set_ints;

constexpr double kRel = 0x1p-22;  // two float roundings (see the file comment), with a factor 2 of margin

class HeapAllocator final : public cpu::OutputAllocator {
 public:
  Tensor allocate(DType dtype, Shape shape) override { return Tensor::empty(dtype, std::move(shape)); }
};

struct QRun {
  std::vector<Tensor> outputs;
  std::vector<bool> packed;  // packed_constant_input(i) per input
};

// Runs `node` with the inputs flagged in `constant` given to the factory as initializers and, as the session's plan
// does, nullptr at run time for each input the kernel reports packed. An undefined Tensor = an omitted input.
Result<QRun> run_q(const ir::Node& node, const std::vector<Tensor>& inputs, const std::vector<bool>& constant,
                   size_t num_outputs = 1, bool int8_weights = false, int64_t opset = 1) {
  std::unordered_map<std::string, Tensor> initializers;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (i < constant.size() && constant[i] && inputs[i].defined()) initializers[node.inputs[i]] = inputs[i];
  const cpu::KernelDef* def = cpu::find_cpu_kernel(node.op_type, node.domain, opset);
  if (!def) return not_implemented("no CPU kernel for " + node.op_type);
  cpu::KernelInfo info{node, opset, &initializers, false, int8_weights};
  ONYX_ASSIGN_OR_RETURN(auto kernel, def->create(info));
  QRun r;
  std::vector<const Tensor*> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    r.packed.push_back(kernel->packed_constant_input(i));
    in.push_back(r.packed.back() || !inputs[i].defined() ? nullptr : &inputs[i]);
  }
  r.outputs.resize(num_outputs);
  HeapAllocator alloc;
  cpu::KernelContext ctx(node, in, r.outputs, alloc);
  ONYX_RETURN_IF_ERROR(kernel->compute(ctx));
  return r;
}

// A node whose omitted inputs (undefined tensors in `inputs`) have empty names.
ir::Node q_node(const std::string& op, const std::vector<Tensor>& inputs, size_t num_outputs = 1,
                const std::string& domain = "com.microsoft") {
  ir::Node n = make_node(op, inputs.size(), num_outputs);
  n.domain = domain;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i].defined()) n.inputs[i].clear();
  return n;
}

// Random integers in [lo, hi] as an int8 / uint8 tensor.
Tensor random_q(DType dtype, Shape shape, unsigned seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  Tensor t = Tensor::empty(dtype, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (dtype == DType::kInt8)
      t.data<int8_t>()[i] = static_cast<int8_t>(dist(rng));
    else
      t.data<uint8_t>()[i] = static_cast<uint8_t>(dist(rng));
  }
  return t;
}
int q_at(const Tensor& t, int64_t i) {
  return t.dtype() == DType::kInt8 ? t.data<int8_t>()[i] : static_cast<int>(t.data<uint8_t>()[i]);
}
Tensor scalar_f(float v) { return Tensor::from_vector<float>({}, {v}); }
Tensor scalar_u8(uint8_t v) { return Tensor::from_vector<uint8_t>({}, {v}); }

// ONNX Runtime's GetQuantizationParameter + MlasQuantizeLinear (see the file comment).
struct RefQuant {
  float scale;
  int zero_point;
};
RefQuant ref_dynamic_params(const Tensor& x) {
  float lo = 0.0f, hi = 0.0f;
  for (int64_t i = 0; i < x.numel(); ++i) {
    lo = std::min(lo, x.data<float>()[i]);
    hi = std::max(hi, x.data<float>()[i]);
  }
  const float scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
  const float zp = std::nearbyint(std::clamp(0.0f - lo / scale, 0.0f, 255.0f));
  return {scale, static_cast<int>(zp)};
}
Tensor ref_quantize(const Tensor& x, RefQuant q) {
  Tensor t = Tensor::empty(DType::kUInt8, x.shape());
  for (int64_t i = 0; i < x.numel(); ++i)
    t.data<uint8_t>()[i] =
        static_cast<uint8_t>(std::clamp(std::nearbyint(x.data<float>()[i] / q.scale) + q.zero_point, 0.0f, 255.0f));
  return t;
}

// The parameter of column j of matrix `mat` from a per-tensor / per-column / per-matrix-column tensor.
double param_at(const Tensor& p, int64_t mat, int64_t j, int64_t n) {
  const int64_t i = p.numel() == 1 ? 0 : (p.numel() == n ? j : mat * n + j);
  return p.dtype() == DType::kFloat32 ? p.data<float>()[i] : q_at(p, i);
}

// y[..., N] = sum_k (a - za) sa (b - zb) sb + bias in double (a: uint8 [..., K]; b: [K, N] or [mats, K, N], one
// matrix per mats-th of a's rows), and the per-output tolerance kRel * (sum |terms| + |bias|).
struct Ref {
  Tensor y;
  std::vector<double> tol;
};
Ref ref_qmatmul(const Tensor& a, RefQuant aq, const Tensor& b, const Tensor& sb, const Tensor* zb, const Tensor* bias) {
  const int64_t k = b.dim(b.rank() - 2), n = b.shape().back(), mats = b.numel() / (k * n);
  const int64_t rows = a.numel() / k, m = rows / mats;
  Shape out = a.shape();
  out.back() = n;
  Ref r{Tensor::empty(DType::kFloat32, out), std::vector<double>(static_cast<size_t>(rows * n))};
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const int64_t mat = i / m;
      const double s = sb.data<float>()[sb.numel() == 1 ? 0 : (sb.numel() == n ? j : mat * n + j)];
      const double z = zb ? param_at(*zb, mat, j, n) : 0.0;
      double acc = 0, mag = 0;
      for (int64_t l = 0; l < k; ++l) {
        const double t = (q_at(a, i * k + l) - aq.zero_point) * static_cast<double>(aq.scale) *
                         (q_at(b, (mat * k + l) * n + j) - z) * s;
        acc += t;
        mag += std::fabs(t);
      }
      const double bv = bias ? bias->data<float>()[j] : 0.0;
      r.y.data<float>()[i * n + j] = static_cast<float>(acc + bv);
      r.tol[static_cast<size_t>(i * n + j)] = kRel * (mag + std::fabs(bv)) + 1e-30;
    }
  return r;
}

void expect_matches(const Tensor& got, const Ref& want, const std::string& what) {
  ASSERT_EQ(got.dtype(), DType::kFloat32) << what;
  ASSERT_EQ(got.shape(), want.y.shape()) << what;
  for (int64_t i = 0; i < got.numel(); ++i)
    ASSERT_NEAR(got.data<float>()[i], want.y.data<float>()[i], want.tol[static_cast<size_t>(i)]) << what << " at " << i;
}

std::string error_of(const Result<QRun>& r) { return r.ok() ? "(ok)" : r.status().to_string(); }

// ---- DynamicQuantizeMatMul ---------------------------------------------------------------------------------------

// Inputs A, B, b_scale, b_zero_point, bias; `constant` says which are initializers.
void check_dqmm(const std::vector<Tensor>& in, const std::vector<bool>& constant, const std::string& what) {
  auto r = run_q(q_node("DynamicQuantizeMatMul", in), in, constant);
  ASSERT_TRUE(r.ok()) << what << ": " << r.status().to_string();
  const RefQuant aq = ref_dynamic_params(in[0]);
  const Ref want = ref_qmatmul(ref_quantize(in[0], aq), aq, in[1], in[2], in[3].defined() ? &in[3] : nullptr,
                               in.size() > 4 && in[4].defined() ? &in[4] : nullptr);
  expect_matches(r->outputs[0], want, what);
}

TEST(DynamicQuantizeMatMul, ConstantInt8PerColumnScaleAndBiasArePackedAndMatchReference) {
  const int64_t k = 37, n = 19;
  const Tensor a = random_tensor(DType::kFloat32, {2, 3, k}, 1, -2.0, 3.0);
  const Tensor b = random_q(DType::kInt8, {k, n}, 2, -127, 127);
  const Tensor scale = random_tensor(DType::kFloat32, {n}, 3, 0.001, 0.02);
  const Tensor bias = random_tensor(DType::kFloat32, {n}, 4);
  const std::vector<Tensor> in = {a, b, scale, Tensor(), bias};
  check_dqmm(in, {false, true, true, false, true}, "constant");
  auto r = run_q(q_node("DynamicQuantizeMatMul", in), in, {false, true, true, false, true});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->packed, (std::vector<bool>{false, true, true, false, true}));
  // The same node with every input at run time (the per-run variant) gives the same numbers.
  auto plain = run_q(q_node("DynamicQuantizeMatMul", in), in, {});
  ASSERT_TRUE(plain.ok()) << plain.status().to_string();
  EXPECT_EQ(plain->packed, (std::vector<bool>(5, false)));
  EXPECT_LE(max_abs_diff(plain->outputs[0], r->outputs[0]), 2e-6);
}

TEST(DynamicQuantizeMatMul, Uint8WithZeroPointsPerTensorAndPerColumn) {
  const int64_t k = 24, n = 10;
  const Tensor a = random_tensor(DType::kFloat32, {5, k}, 5, -1.0, 1.0);
  const Tensor b = random_q(DType::kUInt8, {k, n}, 6, 0, 255);
  check_dqmm({a, b, scalar_f(0.01f), scalar_u8(131), Tensor()}, {false, true, true, true}, "per-tensor, constant");
  check_dqmm({a, b, scalar_f(0.01f), scalar_u8(131), Tensor()}, {}, "per-tensor, run time");
  const Tensor scale = random_tensor(DType::kFloat32, {1, n}, 7, 0.001, 0.01);  // [1, N] is per column too
  const Tensor zp = random_q(DType::kUInt8, {n}, 8, 100, 150);
  check_dqmm({a, b, scale, zp, Tensor()}, {false, true, true, true}, "per-column, constant");
  check_dqmm({a, b, scale, zp, Tensor()}, {}, "per-column, run time");
  // Per-tensor scale with per-column zero point (int8).
  const Tensor bs = random_q(DType::kInt8, {k, n}, 9, -128, 127);
  check_dqmm({a, bs, scalar_f(0.02f), random_q(DType::kInt8, {n}, 10, -5, 5), Tensor()}, {false, true, true, true},
             "int8 per-column zero point");
}

TEST(DynamicQuantizeMatMul, ActivationRangesOnOneSideOfZero) {
  // All positive: zero point 0; all negative: zero point 255; all zero: scale 1.
  const Tensor b = random_q(DType::kInt8, {8, 6}, 11, -127, 127);
  for (auto [lo, hi] : {std::pair{0.5, 2.0}, std::pair{-3.0, -0.25}, std::pair{0.0, 0.0}}) {
    const Tensor a = random_tensor(DType::kFloat32, {4, 8}, 12, lo, hi);
    check_dqmm({a, b, scalar_f(0.05f), Tensor(), Tensor()}, {false, true, true}, "range " + std::to_string(lo));
  }
}

TEST(DynamicQuantizeMatMul, BatchedBWithPerMatrixScalesAndOneDimensionalA) {
  const int64_t k = 9, n = 7;
  const Tensor a = random_tensor(DType::kFloat32, {2, 5, k}, 13);
  const Tensor b = random_q(DType::kInt8, {2, k, n}, 14, -127, 127);
  const Tensor scale = random_tensor(DType::kFloat32, {2, 1, n}, 15, 0.001, 0.01);
  check_dqmm({a, b, scale, Tensor(), random_tensor(DType::kFloat32, {n}, 16)}, {}, "batched B");
  // A [K] -> Y [N].
  const Tensor b2 = random_q(DType::kInt8, {k, n}, 17, -127, 127);
  auto r = run_q(q_node("DynamicQuantizeMatMul", {a, b2, scalar_f(0.01f)}),
                 {random_tensor(DType::kFloat32, {k}, 18), b2, scalar_f(0.01f)}, {false, true, true});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->outputs[0].shape(), (Shape{n}));
}

TEST(DynamicQuantizeMatMul, RunTimeBiasWithConstantB) {
  const int64_t k = 16, n = 12;
  const std::vector<Tensor> in = {random_tensor(DType::kFloat32, {3, k}, 19),
                                  random_q(DType::kInt8, {k, n}, 20, -127, 127), scalar_f(0.03f), Tensor(),
                                  random_tensor(DType::kFloat32, {n}, 21)};
  check_dqmm(in, {false, true, true, false, false}, "run-time bias");
  auto r = run_q(q_node("DynamicQuantizeMatMul", in), in, {false, true, true, false, false});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->packed, (std::vector<bool>{false, true, true, false, false}));
}

TEST(DynamicQuantizeMatMul, BadInputsAreClearErrors) {
  const Tensor a = random_tensor(DType::kFloat32, {3, 8}, 22);
  const Tensor b = random_q(DType::kInt8, {8, 6}, 23, -127, 127);
  auto run = [&](std::vector<Tensor> in, std::vector<bool> constant) {
    return run_q(q_node("DynamicQuantizeMatMul", in), in, constant);
  };
  // B float32.
  auto r = run({a, random_tensor(DType::kFloat32, {8, 6}, 24), scalar_f(1)}, {});
  EXPECT_NE(error_of(r).find("int8 or uint8"), std::string::npos) << error_of(r);
  // Scale with a count that is neither 1 nor N, constant (creation) and at run time.
  for (bool constant : {true, false}) {
    r = run({a, b, Tensor::from_vector<float>({3}, {1, 2, 3})}, {false, constant, constant});
    EXPECT_NE(error_of(r).find("scale"), std::string::npos) << error_of(r);
    EXPECT_NE(error_of(r).find("DynamicQuantizeMatMul"), std::string::npos) << error_of(r);
  }
  // Zero point of the wrong dtype.
  r = run({a, b, scalar_f(1), scalar_u8(3)}, {false, true, true, true});
  EXPECT_NE(error_of(r).find("zero point"), std::string::npos) << error_of(r);
  // A's last dim differs from K.
  r = run({random_tensor(DType::kFloat32, {3, 7}, 25), b, scalar_f(1)}, {false, true, true});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << error_of(r);
  // Bias of the wrong length.
  r = run({a, b, scalar_f(1), Tensor(), random_tensor(DType::kFloat32, {5}, 26)}, {});
  EXPECT_NE(error_of(r).find("bias"), std::string::npos) << error_of(r);
  // A batched B that A would have to broadcast against.
  r = run({a, random_q(DType::kInt8, {2, 8, 6}, 27, -1, 1), scalar_f(1)}, {});
  EXPECT_EQ(r.status().code(), StatusCode::kNotImplemented) << error_of(r);
  // uint8 A (that is MatMulIntegerToFloat's).
  r = run({random_q(DType::kUInt8, {3, 8}, 28, 0, 255), b, scalar_f(1)}, {false, true, true});
  EXPECT_EQ(r.status().code(), StatusCode::kNotImplemented) << error_of(r);
}

// ---- MatMulIntegerToFloat ---------------------------------------------------------------------------------------

// Inputs A, B, a_scale, b_scale, a_zero_point, b_zero_point, bias.
void check_mitf(const std::vector<Tensor>& in, const std::vector<bool>& constant, const std::string& what) {
  auto r = run_q(q_node("MatMulIntegerToFloat", in), in, constant);
  ASSERT_TRUE(r.ok()) << what << ": " << r.status().to_string();
  const RefQuant aq{in[2].data<float>()[0], in[4].defined() ? in[4].data<uint8_t>()[0] : 0};
  const Ref want = ref_qmatmul(in[0], aq, in[1], in[3], in[5].defined() ? &in[5] : nullptr,
                               in.size() > 6 && in[6].defined() ? &in[6] : nullptr);
  expect_matches(r->outputs[0], want, what);
}

TEST(MatMulIntegerToFloat, ConstantAndRunTimeWeightsMatchReference) {
  const int64_t k = 33, n = 14;
  const Tensor a = random_q(DType::kUInt8, {3, 4, k}, 30, 0, 255);
  const Tensor b = random_q(DType::kInt8, {k, n}, 31, -128, 127);
  const Tensor b_scale = random_tensor(DType::kFloat32, {n}, 32, 0.001, 0.01);
  const Tensor b_zp = random_q(DType::kInt8, {n}, 33, -3, 3);
  const Tensor bias = random_tensor(DType::kFloat32, {n}, 34);
  const std::vector<Tensor> in = {a, b, scalar_f(0.05f), b_scale, scalar_u8(117), b_zp, bias};
  const std::vector<bool> constant = {false, true, true, true, true, true, true};
  check_mitf(in, constant, "constant B");
  auto r = run_q(q_node("MatMulIntegerToFloat", in), in, constant);
  ASSERT_TRUE(r.ok());
  // B, b_scale, b_zero_point and bias packed; A's scale and zero point are read at each run.
  EXPECT_EQ(r->packed, (std::vector<bool>{false, true, false, true, false, true, true}));
  check_mitf(in, {}, "run-time B");
  const Tensor bu = random_q(DType::kUInt8, {k, n}, 35, 0, 255);
  check_mitf({a, bu, scalar_f(0.02f), scalar_f(0.003f), Tensor(), scalar_u8(128), Tensor()}, {},
             "uint8 B, no A zero point, no bias");
}

TEST(MatMulIntegerToFloat, BadInputsAreClearErrors) {
  const Tensor b = random_q(DType::kInt8, {8, 4}, 36, -127, 127);
  auto run = [&](std::vector<Tensor> in) { return run_q(q_node("MatMulIntegerToFloat", in), in, {}); };
  auto r = run({random_q(DType::kInt8, {2, 8}, 37, -5, 5), b, scalar_f(1), scalar_f(1)});  // int8 A
  EXPECT_EQ(r.status().code(), StatusCode::kNotImplemented) << error_of(r);
  r = run({random_q(DType::kUInt8, {2, 8}, 38, 0, 9), b, Tensor::from_vector<float>({2}, {1, 2}), scalar_f(1)});
  EXPECT_NE(error_of(r).find("a_scale"), std::string::npos) << error_of(r);
  r = run(
      {random_q(DType::kUInt8, {2, 8}, 38, 0, 9), b, scalar_f(1), scalar_f(1), Tensor::from_vector<int8_t>({}, {1})});
  EXPECT_NE(error_of(r).find("a_zero_point"), std::string::npos) << error_of(r);
}

// ---- QAttention -------------------------------------------------------------------------------------------------

struct QAttentionCase {
  int64_t batch = 2, seq = 5, heads = 3, head_size = 4, din = 16, past = 0;
  DType weight_type = DType::kInt8;
  bool per_column = true, weight_zero_point = true, input_zero_point = true, unidirectional = false;
  Tensor mask;  // undefined = none
};

// Dequantized values of a quantized tensor: (q - zp[n]) * scale[n] over its last dim n (n = 1 for scalars).
Tensor dequantize(const Tensor& q, const Tensor& scale, const Tensor* zp) {
  Tensor t = Tensor::empty(DType::kFloat32, q.shape());
  const int64_t n = q.shape().back();
  for (int64_t i = 0; i < q.numel(); ++i) {
    const int64_t j = i % n;
    t.data<float>()[i] = static_cast<float>((q_at(q, i) - (zp ? param_at(*zp, 0, j, n) : 0.0)) *
                                            scale.data<float>()[scale.numel() == 1 ? 0 : j]);
  }
  return t;
}

// QAttention (constant weights, and again with run-time weights) against Attention on the dequantized input and
// weights. Tolerance: the projection differs by Attention's fp32 GEMM rounding (K = 16 products of values < 20:
// ~1e-5 relative at most) and the float scaling (kRel); the softmax and P V keep that size.
void check_qattention(const QAttentionCase& c, const std::string& what) {
  const int64_t hidden = c.heads * c.head_size, dt = 3 * hidden;
  const Tensor input = random_q(DType::kUInt8, {c.batch, c.seq, c.din}, 40, 0, 255);
  const Tensor input_scale = scalar_f(0.01f);
  const Tensor input_zp = c.input_zero_point ? scalar_u8(121) : Tensor();
  const bool s8 = c.weight_type == DType::kInt8;
  const Tensor weight = random_q(c.weight_type, {c.din, dt}, 41, s8 ? -127 : 0, s8 ? 127 : 255);
  const Tensor weight_scale = c.per_column ? random_tensor(DType::kFloat32, {dt}, 42, 0.002, 0.01) : scalar_f(0.005f);
  Tensor weight_zp;
  if (c.weight_zero_point)
    weight_zp = c.per_column ? random_q(c.weight_type, {dt}, 43, s8 ? -4 : 124, s8 ? 4 : 132)
                             : (s8 ? Tensor::from_vector<int8_t>({}, {-2}) : scalar_u8(128));
  const Tensor bias = random_tensor(DType::kFloat32, {dt}, 44);
  const Tensor past =
      c.past ? random_tensor(DType::kFloat32, {2, c.batch, c.heads, c.past, c.head_size}, 45) : Tensor();
  const size_t outputs = c.past ? 2 : 1;

  ir::Node ref_node = ms_node("Attention", 5, outputs);
  set_int(ref_node, "num_heads", c.heads);
  set_int(ref_node, "unidirectional", c.unidirectional);
  const std::vector<Tensor> ref_in = {dequantize(input, input_scale, c.input_zero_point ? &input_zp : nullptr),
                                      dequantize(weight, weight_scale, c.weight_zero_point ? &weight_zp : nullptr),
                                      bias, c.mask, past};
  for (size_t i = 3; i < ref_in.size(); ++i)
    if (!ref_in[i].defined()) ref_node.inputs[i].clear();
  auto want = run_q(ref_node, ref_in, {}, outputs);
  ASSERT_TRUE(want.ok()) << what << ": " << want.status().to_string();

  const std::vector<Tensor> in = {input, weight, bias, input_scale, weight_scale, c.mask, input_zp, weight_zp, past};
  ir::Node node = q_node("QAttention", in, outputs);
  set_int(node, "num_heads", c.heads);
  set_int(node, "unidirectional", c.unidirectional);
  const std::vector<bool> constant = {false, true, true, false, true, false, false, true, false};
  for (bool packed : {true, false}) {
    auto got = run_q(node, in, packed ? constant : std::vector<bool>{}, outputs);
    ASSERT_TRUE(got.ok()) << what << ": " << got.status().to_string();
    EXPECT_EQ(got->packed[1], packed) << what;
    EXPECT_EQ(got->packed[7], packed && c.weight_zero_point) << what;
    for (size_t o = 0; o < outputs; ++o)
      EXPECT_LE(max_abs_diff(got->outputs[o], want->outputs[o]), 2e-5)
          << what << (packed ? " packed" : " run time") << " output " << o;
  }
}

TEST(QAttention, MatchesAttentionOnDequantizedInputs) {
  check_qattention({}, "int8 per-column weights, zero points, no mask");
  QAttentionCase c;
  c.weight_type = DType::kUInt8;
  c.per_column = false;
  c.input_zero_point = false;
  check_qattention(c, "uint8 per-tensor weights");
  c = {};
  c.weight_zero_point = false;
  c.mask = Tensor::from_vector<int32_t>({2}, {5, 3});
  check_qattention(c, "1-D mask");
  c.mask = Tensor::from_vector<int32_t>({2, 5}, {1, 1, 1, 0, 0, 0, 0, 0, 0, 0});  // batch 1 fully masked
  check_qattention(c, "2-D mask");
  c.mask = Tensor();
  c.unidirectional = true;
  check_qattention(c, "unidirectional");
  c.past = 3;
  c.mask = Tensor::from_vector<int32_t>({2, 8}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0});
  check_qattention(c, "past + present, unidirectional, 2-D mask");
}

TEST(QAttention, BadInputsAreClearErrors) {
  const Tensor input = random_q(DType::kUInt8, {1, 2, 4}, 50, 0, 255);
  const Tensor weight = random_q(DType::kInt8, {4, 6}, 51, -127, 127);
  const Tensor bias = random_tensor(DType::kFloat32, {6}, 52);
  auto run = [&](std::vector<Tensor> in, int64_t heads = 1, bool qkv_sizes = false) {
    ir::Node n = q_node("QAttention", in);
    set_int(n, "num_heads", heads);
    if (qkv_sizes) set_ints(n, "qkv_hidden_sizes", {2, 2, 2});
    return run_q(n, in, {false, true, true, false, true});
  };
  auto r = run({input, weight, bias, scalar_f(0.1f), scalar_f(0.1f)}, 0);
  EXPECT_NE(error_of(r).find("num_heads"), std::string::npos) << error_of(r);
  r = run({input, weight, bias, scalar_f(0.1f), scalar_f(0.1f)}, 1, true);
  EXPECT_EQ(r.status().code(), StatusCode::kNotImplemented) << error_of(r);
  r = run({random_q(DType::kInt8, {1, 2, 4}, 53, -5, 5), weight, bias, scalar_f(0.1f), scalar_f(0.1f)});
  EXPECT_EQ(r.status().code(), StatusCode::kNotImplemented) << error_of(r);
  r = run({input, weight, bias, Tensor::from_vector<float>({2}, {1, 1}), scalar_f(0.1f)});
  EXPECT_NE(error_of(r).find("input_scale"), std::string::npos) << error_of(r);
  r = run({input, weight, bias, scalar_f(0.1f), Tensor::from_vector<float>({4}, {1, 1, 1, 1})});
  EXPECT_NE(error_of(r).find("scale"), std::string::npos) << error_of(r);
  r = run({random_q(DType::kUInt8, {1, 2, 5}, 54, 0, 255), weight, bias, scalar_f(0.1f), scalar_f(0.1f)});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << error_of(r);
  r = run({input, weight, bias, scalar_f(0.1f), scalar_f(0.1f), Tensor::from_vector<int32_t>({3}, {1, 1, 1})});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << error_of(r);
}

// ---- KernelInfo::int8_weights (Precision::kInt8) ------------------------------------------------------------------

// w [K, N] (or [N, K] transposed) -> the int8 weights and per-column scales `onyx quantize` writes.
struct SymmetricWeights {
  Tensor q, scales;
};
SymmetricWeights symmetric(const Tensor& w, bool transposed) {
  const int64_t k = transposed ? w.dim(1) : w.dim(0), n = transposed ? w.dim(0) : w.dim(1);
  SymmetricWeights s{Tensor::empty(DType::kInt8, w.shape()), Tensor::empty(DType::kFloat32, {n})};
  cpu::quantize_weights_symmetric(w.data<float>(), k, n, transposed, true, s.q.data<int8_t>(), s.scales.data<float>());
  return s;
}

// The quantization error bound of one output of x · w (x quantized with step sx, w with step sw[n], each value off
// by at most half a step): sum_k (|x_k| sw / 2 + |w_k| sx / 2 + sx sw / 4), plus float rounding.
double int8_error_bound(const Tensor& x, const Tensor& w, int64_t row, int64_t col, float sx, float sw) {
  const int64_t k = w.dim(0), n = w.dim(1);
  double e = 0, mag = 0;
  for (int64_t l = 0; l < k; ++l) {
    const double xv = std::fabs(x.data<float>()[row * k + l]), wv = std::fabs(w.data<float>()[l * n + col]);
    e += xv * sw / 2 + wv * sx / 2 + sx * sw / 4.0;
    mag += xv * wv;
  }
  return e * 1.001 + 1e-5 * mag + 1e-6;
}

TEST(Int8Weights, MatMulEqualsDynamicQuantizeMatMulOfSymmetricWeightsAndBoundsTheError) {
  const int64_t k = 48, n = 20;
  const Tensor x = random_tensor(DType::kFloat32, {2, 3, k}, 60, -2.0, 2.0);
  const Tensor w = random_tensor(DType::kFloat32, {k, n}, 61, -0.5, 0.5);
  auto int8 = run_q(make_node("MatMul", 2), {x, w}, {false, true}, 1, /*int8_weights=*/true, 13);
  ASSERT_TRUE(int8.ok()) << int8.status().to_string();
  EXPECT_EQ(int8->packed, (std::vector<bool>{false, true}));
  const SymmetricWeights s = symmetric(w, false);
  const std::vector<Tensor> in = {x, s.q, s.scales};
  auto dqmm = run_q(q_node("DynamicQuantizeMatMul", in), in, {false, true, true});
  ASSERT_TRUE(dqmm.ok()) << dqmm.status().to_string();
  EXPECT_EQ(max_abs_diff(int8->outputs[0], dqmm->outputs[0]), 0.0);
  // Against the fp32 product: within the quantization error bound.
  auto fp32 = run_q(make_node("MatMul", 2), {x, w}, {false, false}, 1, false, 13);
  ASSERT_TRUE(fp32.ok());
  const float sx = ref_dynamic_params(x).scale;
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t j = 0; j < n; ++j)
      ASSERT_NEAR(int8->outputs[0].data<float>()[i * n + j], fp32->outputs[0].data<float>()[i * n + j],
                  int8_error_bound(x, w, i, j, sx, s.scales.data<float>()[j]))
          << i << ", " << j;
  // A MatMul whose B is not a constant stays fp32.
  auto plain = run_q(make_node("MatMul", 2), {x, w}, {false, false}, 1, true, 13);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(max_abs_diff(plain->outputs[0], fp32->outputs[0]), 0.0);
}

TEST(Int8Weights, GemmTransBAlphaBetaEqualsDynamicQuantizeMatMul) {
  const int64_t m = 5, k = 24, n = 11;
  const Tensor a = random_tensor(DType::kFloat32, {m, k}, 62, -1.0, 1.0);
  const Tensor b = random_tensor(DType::kFloat32, {n, k}, 63, -0.5, 0.5);  // transB
  const Tensor c = random_tensor(DType::kFloat32, {n}, 64);
  ir::Node gemm = make_node("Gemm", 3);
  set_int(gemm, "transB", 1);
  set_float(gemm, "alpha", 0.5f);
  set_float(gemm, "beta", 2.0f);
  auto int8 = run_q(gemm, {a, b, c}, {false, true, true}, 1, true, 13);
  ASSERT_TRUE(int8.ok()) << int8.status().to_string();
  EXPECT_EQ(int8->packed, (std::vector<bool>{false, true, true}));
  // The same numbers: B^T quantized per column, the scales times alpha, beta * C as the bias.
  SymmetricWeights s = symmetric(b, true);
  Tensor qt = Tensor::empty(DType::kInt8, {k, n});
  for (int64_t j = 0; j < n; ++j)
    for (int64_t l = 0; l < k; ++l) qt.data<int8_t>()[l * n + j] = s.q.data<int8_t>()[j * k + l];
  Tensor bias = Tensor::empty(DType::kFloat32, {n});
  for (int64_t j = 0; j < n; ++j) {
    s.scales.data<float>()[j] *= 0.5f;
    bias.data<float>()[j] = 2.0f * c.data<float>()[j];
  }
  const std::vector<Tensor> in = {a, qt, s.scales, Tensor(), bias};
  auto dqmm = run_q(q_node("DynamicQuantizeMatMul", in), in, {false, true, true, false, true});
  ASSERT_TRUE(dqmm.ok()) << dqmm.status().to_string();
  EXPECT_EQ(max_abs_diff(int8->outputs[0], dqmm->outputs[0]), 0.0);
}

// Attention with int8 weights == DynamicQuantizeLinear(input) -> QAttention with the symmetric weights: the graph
// `onyx quantize --mode dynamic` writes for an Attention.
TEST(Int8Weights, AttentionEqualsDynamicQuantizeLinearThenQAttention) {
  const int64_t batch = 2, seq = 6, heads = 2, din = 20, dt = 3 * 16;
  const Tensor x = random_tensor(DType::kFloat32, {batch, seq, din}, 70, -3.0, 2.0);
  const Tensor w = random_tensor(DType::kFloat32, {din, dt}, 71, -0.4, 0.4);
  const Tensor bias = random_tensor(DType::kFloat32, {dt}, 72);
  const Tensor mask = Tensor::from_vector<int32_t>({2}, {6, 4});
  ir::Node att = ms_node("Attention", 4);
  set_int(att, "num_heads", heads);
  auto int8 = run_q(att, {x, w, bias, mask}, {false, true, true, false}, 1, true);
  ASSERT_TRUE(int8.ok()) << int8.status().to_string();
  EXPECT_EQ(int8->packed, (std::vector<bool>{false, true, true, false}));

  const cpu::QuantParams q = [&] {
    float lo = 0, hi = 0;
    for (int64_t i = 0; i < x.numel(); ++i)
      lo = std::min(lo, x.data<float>()[i]), hi = std::max(hi, x.data<float>()[i]);
    return cpu::dynamic_quant_params(lo, hi);
  }();
  Tensor xq = Tensor::empty(DType::kUInt8, x.shape());
  cpu::quantize_u8(x.data<float>(), batch * seq, din, din, q, xq.data<uint8_t>(), din);
  const SymmetricWeights s = symmetric(w, false);
  const std::vector<Tensor> in = {xq, s.q, bias, scalar_f(q.scale), s.scales, mask, scalar_u8(q.zero_point)};
  ir::Node qatt = q_node("QAttention", in);
  set_int(qatt, "num_heads", heads);
  auto want = run_q(qatt, in, {false, true, true, false, true});
  ASSERT_TRUE(want.ok()) << want.status().to_string();
  EXPECT_LE(max_abs_diff(int8->outputs[0], want->outputs[0]), 1e-6);
}

// PackedAttention (RemovePadding's) with int8 weights quantizes its T token rows as Attention does its B*S rows: one
// unpadded sequence gives identical numbers either way.
TEST(Int8Weights, PackedAttentionEqualsAttentionOnOneUnpaddedSequence) {
  const int64_t seq = 7, heads = 2, din = 12, dt = 3 * 8;
  const Tensor x = random_tensor(DType::kFloat32, {1, seq, din}, 80, -2.0, 2.0);
  const Tensor w = random_tensor(DType::kFloat32, {din, dt}, 81, -0.5, 0.5);
  const Tensor bias = random_tensor(DType::kFloat32, {dt}, 82);
  ir::Node att = ms_node("Attention", 3);
  set_int(att, "num_heads", heads);
  auto want = run_q(att, {x, w, bias}, {false, true, true}, 1, true);
  ASSERT_TRUE(want.ok()) << want.status().to_string();
  const Tensor tokens = x.reshaped({seq, din});
  std::vector<int32_t> offsets(seq);
  for (int64_t i = 0; i < seq; ++i) offsets[static_cast<size_t>(i)] = static_cast<int32_t>(i);
  ir::Node packed = ms_node("PackedAttention", 5);
  set_int(packed, "num_heads", heads);
  auto got = run_q(packed,
                   {tokens, w, bias, Tensor::from_vector<int32_t>({1, seq}, offsets),
                    Tensor::from_vector<int32_t>({2}, {0, static_cast<int32_t>(seq)})},
                   {false, true, true, false, false}, 1, true);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->packed, (std::vector<bool>{false, true, true, false, false}));
  EXPECT_EQ(max_abs_diff(got->outputs[0].reshaped({1, seq, dt / 3}), want->outputs[0]), 0.0);
}

}  // namespace
}  // namespace onyx::test
