// MatMul and Gemm kernels vs plain reference loops (numpy matmul semantics, written out here).
#include <gtest/gtest.h>

#include <cmath>
#include <unordered_map>
#include <vector>

#include "src/core/cpu_features.h"
#include "src/core/half.h"
#include "src/ep/cpu/registry.h"
#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/math_test_util.h"

namespace onyx::test {
namespace {

// numpy.matmul, one element at a time, double accumulation.
Tensor matmul_reference(const Tensor& a, const Tensor& b) {
  const MatMulBroadcast mb = matmul_broadcast(a.shape(), b.shape());
  const int64_t m = mb.m, k = mb.k, n = mb.n;
  Tensor y = Tensor::empty(DType::kFloat32, mb.out);
  for (int64_t bi = 0; bi < shape_numel(mb.batch); ++bi) {
    const auto [ai, bj] = mb.matrices(bi);
    const int64_t oa = ai * m * k, ob = bj * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t l = 0; l < k; ++l)
          acc += static_cast<double>(a.data<float>()[oa + i * k + l]) * b.data<float>()[ob + l * n + j];
        y.data<float>()[(bi * m + i) * n + j] = static_cast<float>(acc);
      }
  }
  return y;
}

void check_matmul(const Shape& as, const Shape& bs, unsigned seed) {
  const Tensor a = random_tensor(DType::kFloat32, as, seed), b = random_tensor(DType::kFloat32, bs, seed + 1);
  auto out = run_node(make_node("MatMul", 2), {a, b}, 13);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  const Tensor want = matmul_reference(a, b);
  ASSERT_EQ((*out)[0].shape(), want.shape()) << shape_to_string(as) << " x " << shape_to_string(bs);
  EXPECT_LE(max_abs_diff((*out)[0], want), 1e-4) << shape_to_string(as) << " x " << shape_to_string(bs);
}

TEST(MathMatMul, BroadcastCasesMatchReference) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{7, 35}, {35, 129}},             // plain 2-D
      {{2, 5, 16}, {16, 9}},            // [B,S,K] x [K,N]: merged into one GEMM
      {{2, 3, 5, 8}, {2, 3, 8, 5}},     // attention scores [B,H,S,D] x [B,H,D,S]
      {{16}, {16, 4}},                  // 1-D A
      {{2, 3, 16}, {16}},               // 1-D B
      {{16}, {16}},                     // dot product -> scalar
      {{4, 16}, {3, 16, 5}},            // 2-D A, batched B
      {{2, 1, 4, 6}, {1, 3, 6, 5}},     // mixed broadcast
      {{1, 4, 6}, {3, 6, 5}},           // batch 1 against 3
      {{3, 0, 6}, {6, 5}},              // empty M
      {{3, 4, 0}, {0, 5}},              // K = 0: zeros
  };
  unsigned seed = 1;
  for (const auto& [as, bs] : cases) check_matmul(as, bs, seed += 2);
}

TEST(MathMatMul, IntegerAndDouble) {
  const Tensor a = Tensor::from_vector<int64_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor b = Tensor::from_vector<int64_t>({3, 2}, {1, -1, 2, 0, 0, 3});
  auto out = run_node(make_node("MatMul", 2), {a, b}, 13);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(max_abs_diff((*out)[0], Tensor::from_vector<int64_t>({2, 2}, {5, 8, 14, 14})), 0.0);
  const Tensor ad = Tensor::from_vector<double>({1, 2}, {0.5, 2.0});
  const Tensor bd = Tensor::from_vector<double>({2, 1}, {4.0, 1.0});
  auto outd = run_node(make_node("MatMul", 2), {ad, bd}, 13);
  ASSERT_TRUE(outd.ok());
  EXPECT_EQ((*outd)[0].data<double>()[0], 4.0);
}

TEST(MathMatMul, ShapeErrorsAreStatuses) {
  auto bad_k = run_node(make_node("MatMul", 2), {random_tensor(DType::kFloat32, {2, 3}, 1),
                                                 random_tensor(DType::kFloat32, {4, 2}, 2)});
  EXPECT_FALSE(bad_k.ok());
  auto bad_batch = run_node(make_node("MatMul", 2), {random_tensor(DType::kFloat32, {2, 2, 3}, 1),
                                                     random_tensor(DType::kFloat32, {3, 3, 2}, 2)});
  EXPECT_FALSE(bad_batch.ok());
  auto bad_dtype = run_node(make_node("MatMul", 2), {random_tensor(DType::kFloat32, {2, 3}, 1),
                                                     random_tensor(DType::kFloat64, {3, 2}, 2)});
  EXPECT_FALSE(bad_dtype.ok());
}

TEST(MathGemm, AttributesAndBiasBroadcastMatchReference) {
  const int64_t m = 5, n = 7, k = 9;
  for (int t = 0; t < 4; ++t)
    for (const Shape& c_shape : {Shape{}, Shape{n}, Shape{m, 1}, Shape{m, n}}) {
      const bool ta = t & 1, tb = t & 2;
      const Tensor a = random_tensor(DType::kFloat32, ta ? Shape{k, m} : Shape{m, k}, 10 + t);
      const Tensor b = random_tensor(DType::kFloat32, tb ? Shape{n, k} : Shape{k, n}, 20 + t);
      const Tensor c = random_tensor(DType::kFloat32, c_shape, 30 + t);
      ir::Node node = make_node("Gemm", 3);
      math::set_int(node, "transA", ta);
      math::set_int(node, "transB", tb);
      math::set_float(node, "alpha", 0.5f);
      math::set_float(node, "beta", 2.0f);
      auto out = run_node(node, {a, b, c}, 13);
      ASSERT_TRUE(out.ok()) << out.status().to_string();
      Tensor want = Tensor::empty(DType::kFloat32, {m, n});
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double acc = 0;
          for (int64_t l = 0; l < k; ++l)
            acc += static_cast<double>(a.data<float>()[ta ? l * m + i : i * k + l]) *
                   b.data<float>()[tb ? j * k + l : l * n + j];
          const int64_t ci = c_shape.size() == 2 ? (c_shape[0] == 1 ? 0 : i) * c_shape[1] + (c_shape[1] == 1 ? 0 : j)
                                                 : (c_shape.empty() ? 0 : j);
          want.data<float>()[i * n + j] = static_cast<float>(0.5 * acc + 2.0 * c.data<float>()[ci]);
        }
      EXPECT_LE(max_abs_diff((*out)[0], want), 1e-4) << "t=" << t << " C " << shape_to_string(c_shape);
    }
}

TEST(MathGemm, OptionalCFromOpset11) {
  const Tensor a = Tensor::from_vector<float>({1, 2}, {1, 2}), b = Tensor::from_vector<float>({2, 1}, {3, 4});
  auto out = run_node(make_node("Gemm", 2), {a, b}, 11);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].data<float>()[0], 11.0f);
  auto bad_c = run_node(make_node("Gemm", 3), {a, b, Tensor::from_vector<float>({3}, {1, 2, 3})}, 13);
  EXPECT_FALSE(bad_c.ok());
}

// ---- constant weights (the packed PackedGemm variant) -----------------------------------------------------------

class HeapAllocator final : public cpu::OutputAllocator {
 public:
  Tensor allocate(DType dtype, Shape shape) override { return Tensor::empty(dtype, std::move(shape)); }
};

struct ConstantRun {
  std::vector<Tensor> outputs;
  std::vector<bool> packed;  // packed_constant_input(i) per input
};

// Runs `node` with the inputs flagged in `constant` given to the factory as initializers, and (like the session's
// plan) nullptr at run time for every input the kernel reports as packed.
Result<ConstantRun> run_with_constants(const ir::Node& node, const std::vector<Tensor>& inputs,
                                       const std::vector<bool>& constant, bool bf16_weights, int64_t opset = 13) {
  std::unordered_map<std::string, Tensor> initializers;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (constant[i]) initializers[node.inputs[i]] = inputs[i];
  const cpu::KernelDef* def = cpu::find_cpu_kernel(node.op_type, node.domain, opset);
  if (!def) return not_implemented("no kernel");
  cpu::KernelInfo info{node, opset, &initializers, bf16_weights};
  ONYX_ASSIGN_OR_RETURN(auto kernel, def->create(info));
  ConstantRun r;
  std::vector<const Tensor*> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    r.packed.push_back(kernel->packed_constant_input(i));
    in.push_back(r.packed.back() || !inputs[i].defined() ? nullptr : &inputs[i]);
  }
  r.outputs.resize(1);
  HeapAllocator alloc;
  cpu::KernelContext ctx(node, in, r.outputs, alloc);
  ONYX_RETURN_IF_ERROR(kernel->compute(ctx));
  return r;
}

// |got - want| <= tol, where for bf16 weights tol bounds the rounding of X and W to bf16 (relative 2^-9 each, so
// 2^-8 per product): 2^-8 * sum_l |x_l w_l| per output (`abs_dot` holds those sums) + the fp32 part.
void expect_close(const Tensor& got, const Tensor& want, const Tensor& abs_dot, bool bf16, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  ASSERT_EQ(got.dtype(), DType::kFloat32) << what;
  for (int64_t i = 0; i < want.numel(); ++i) {
    const double tol = 1e-4 + (bf16 ? std::ldexp(1.0, -8) * 1.01 * abs_dot.data<float>()[i] : 0.0);
    ASSERT_NEAR(got.data<float>()[i], want.data<float>()[i], tol) << what << " at " << i;
  }
}

Tensor abs_tensor(const Tensor& t) {
  Tensor a = Tensor::empty(DType::kFloat32, t.shape());
  for (int64_t i = 0; i < t.numel(); ++i) a.data<float>()[i] = std::fabs(t.data<float>()[i]);
  return a;
}

TEST(MathMatMul, ConstantWeightIsPackedAndMatchesReference) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{7, 35}, {35, 129}},    {{2, 5, 16}, {16, 9}}, {{2, 3, 4, 33}, {33, 17}}, {{16}, {16, 4}},
      {{35, 768}, {768, 100}}, {{3, 0, 6}, {6, 5}},   {{1, 1}, {1, 1}},
  };
  unsigned seed = 300;
  for (bool bf16 : {false, true}) {
    if (bf16 && !cpu_features().avx512bf16) continue;  // Session::create refuses bf16 there
    for (const auto& [as, bs] : cases) {
      const Tensor a = random_tensor(DType::kFloat32, as, seed), b = random_tensor(DType::kFloat32, bs, seed + 1);
      seed += 2;
      const std::string what = shape_to_string(as) + " x " + shape_to_string(bs) + " bf16=" + std::to_string(bf16);
      auto r = run_with_constants(make_node("MatMul", 2), {a, b}, {false, true}, bf16);
      ASSERT_TRUE(r.ok()) << r.status().to_string() << " " << what;
      EXPECT_TRUE(r->packed[1]) << what;
      EXPECT_FALSE(r->packed[0]) << what;
      expect_close(r->outputs[0], matmul_reference(a, b), matmul_reference(abs_tensor(a), abs_tensor(b)), bf16, what);
    }
  }
}

TEST(MathMatMul, NonConstantOrBatchedWeightIsNotPacked) {
  const Tensor a = random_tensor(DType::kFloat32, {2, 4, 6}, 1);
  const Tensor b3 = random_tensor(DType::kFloat32, {2, 6, 5}, 2), b2 = random_tensor(DType::kFloat32, {6, 5}, 3);
  auto batched = run_with_constants(make_node("MatMul", 2), {a, b3}, {false, true}, false);
  ASSERT_TRUE(batched.ok()) << batched.status().to_string();
  EXPECT_FALSE(batched->packed[1]);
  EXPECT_LE(max_abs_diff(batched->outputs[0], matmul_reference(a, b3)), 1e-4);
  auto dynamic = run_with_constants(make_node("MatMul", 2), {a, b2}, {false, false}, false);
  ASSERT_TRUE(dynamic.ok()) << dynamic.status().to_string();
  EXPECT_FALSE(dynamic->packed[1]);
  EXPECT_LE(max_abs_diff(dynamic->outputs[0], matmul_reference(a, b2)), 1e-4);
}

TEST(MathMatMul, PackedWeightRunTimeErrorsAreStatuses) {
  const Tensor b = random_tensor(DType::kFloat32, {6, 5}, 2);
  auto bad_k =
      run_with_constants(make_node("MatMul", 2), {random_tensor(DType::kFloat32, {2, 7}, 1), b}, {false, true}, false);
  EXPECT_FALSE(bad_k.ok());
  auto bad_dtype =
      run_with_constants(make_node("MatMul", 2), {random_tensor(DType::kFloat64, {2, 6}, 1), b}, {false, true}, false);
  EXPECT_FALSE(bad_dtype.ok());
}

// O4 graphs: Cast(bf16) -> MatMul(bf16 A, constant bf16 B) -> Cast(float). The packed kernel behind the half
// bridge must give a bf16 output equal to the bf16 rounding of the exact product (B is never passed).
TEST(MathMatMul, Bf16ActivationsWithConstantBf16Weight) {
  const Tensor a = random_tensor(DType::kBFloat16, {3, 5, 64}, 41), b = random_tensor(DType::kBFloat16, {64, 24}, 42);
  auto widen = [](const Tensor& t) {
    Tensor f = Tensor::empty(DType::kFloat32, t.shape());
    for (int64_t i = 0; i < t.numel(); ++i) f.data<float>()[i] = to_float(t.data<BFloat16>()[i]);
    return f;
  };
  auto r = run_with_constants(make_node("MatMul", 2), {a, b}, {false, true}, false);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->packed[1]);
  const Tensor& y = r->outputs[0];
  ASSERT_EQ(y.dtype(), DType::kBFloat16);
  const Tensor want = matmul_reference(widen(a), widen(b));  // exact products of the bf16 values
  ASSERT_EQ(y.shape(), want.shape());
  for (int64_t i = 0; i < want.numel(); ++i)  // one bf16 rounding of the output (relative 2^-8) + fp32 sums
    ASSERT_NEAR(to_float(y.data<BFloat16>()[i]), want.data<float>()[i],
                std::ldexp(std::fabs(want.data<float>()[i]), -8) + 1e-4)
        << "at " << i;
}

TEST(MathGemm, ConstantWeightAndBiasArePackedAndMatchReference) {
  const int64_t m = 6, n = 11, k = 19;
  unsigned seed = 500;
  for (bool bf16 : {false, true}) {
    if (bf16 && !cpu_features().avx512bf16) continue;
    for (bool tb : {false, true})
      for (const Shape& c_shape : {Shape{0}, Shape{}, Shape{1}, Shape{n}, Shape{1, n}, Shape{1, 1}}) {
        const bool has_c = c_shape != Shape{0};
        const Tensor a = random_tensor(DType::kFloat32, {m, k}, seed++);
        const Tensor b = random_tensor(DType::kFloat32, tb ? Shape{n, k} : Shape{k, n}, seed++);
        const Tensor c = has_c ? random_tensor(DType::kFloat32, c_shape, seed++) : Tensor();
        ir::Node node = make_node("Gemm", has_c ? 3 : 2);
        math::set_int(node, "transB", tb);
        math::set_float(node, "alpha", 0.5f);
        math::set_float(node, "beta", 2.0f);
        std::vector<Tensor> inputs = {a, b};
        if (has_c) inputs.push_back(c);
        const std::string what = "tb=" + std::to_string(tb) + " C " + (has_c ? shape_to_string(c_shape) : "none") +
                                 " bf16=" + std::to_string(bf16);
        auto r = run_with_constants(node, inputs, {false, true, true}, bf16);
        ASSERT_TRUE(r.ok()) << r.status().to_string() << " " << what;
        EXPECT_TRUE(r->packed[1]) << what;
        if (has_c) {
          EXPECT_TRUE(r->packed[2]) << what;
        }
        Tensor want = Tensor::empty(DType::kFloat32, {m, n}), abs_dot = Tensor::empty(DType::kFloat32, {m, n});
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            double acc = 0, abs_acc = 0;
            for (int64_t l = 0; l < k; ++l) {
              const double p =
                  static_cast<double>(a.data<float>()[i * k + l]) * b.data<float>()[tb ? j * k + l : l * n + j];
              acc += p;
              abs_acc += std::fabs(p);
            }
            const double cv = !has_c ? 0.0 : c.data<float>()[c.numel() == 1 ? 0 : j];
            want.data<float>()[i * n + j] = static_cast<float>(0.5 * acc + 2.0 * cv);
            abs_dot.data<float>()[i * n + j] = static_cast<float>(0.5 * abs_acc);
          }
        expect_close(r->outputs[0], want, abs_dot, bf16, what);
      }
  }
}

TEST(MathGemm, TransposedAOrFullCIsNotPacked) {
  const Tensor a = random_tensor(DType::kFloat32, {4, 3}, 1), b = random_tensor(DType::kFloat32, {4, 5}, 2);
  ir::Node ta = make_node("Gemm", 2);
  math::set_int(ta, "transA", 1);
  auto r = run_with_constants(ta, {a, b}, {false, true}, false);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_FALSE(r->packed[1]);
  const Tensor a2 = random_tensor(DType::kFloat32, {3, 4}, 3), c = random_tensor(DType::kFloat32, {3, 5}, 4);
  auto full_c = run_with_constants(make_node("Gemm", 3), {a2, b, c}, {false, true, true}, false);
  ASSERT_TRUE(full_c.ok()) << full_c.status().to_string();
  EXPECT_FALSE(full_c->packed[1]);
  Tensor want = Tensor::empty(DType::kFloat32, {3, 5});
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 5; ++j) {
      double acc = c.data<float>()[i * 5 + j];
      for (int64_t l = 0; l < 4; ++l)
        acc += static_cast<double>(a2.data<float>()[i * 4 + l]) * b.data<float>()[l * 5 + j];
      want.data<float>()[i * 5 + j] = static_cast<float>(acc);
    }
  EXPECT_LE(max_abs_diff(full_c->outputs[0], want), 1e-4);
}

}  // namespace
}  // namespace onyx::test
