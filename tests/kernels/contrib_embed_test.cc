// EmbedLayerNormalization (com.microsoft) against a double-precision reference: gather word / position / segment
// rows, add, layer-normalize; mask_index counts the 1s of each mask row; out-of-range ids are errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/kernels/contrib_test_util.h"
#include "tests/kernels/math_test_util.h"

namespace onyx::test {
namespace {

using contrib::ms_node;
using contrib::run_ms;

struct EmbedRef {
  Tensor out, sum;
};

EmbedRef embed_ref(const Tensor& ids, const Tensor* seg_ids, const Tensor& word, const Tensor& pos, const Tensor* seg,
                   const Tensor& gamma, const Tensor& beta, const Tensor* pos_ids, float eps) {
  const int64_t b = ids.dim(0), s = ids.dim(1), h = word.dim(1);
  EmbedRef r{Tensor::empty(DType::kFloat32, {b, s, h}), Tensor::empty(DType::kFloat32, {b, s, h})};
  for (int64_t i = 0; i < b * s; ++i) {
    const int64_t p = pos_ids ? pos_ids->data<int32_t>()[pos_ids->numel() == s ? i % s : i] : i % s;
    std::vector<double> v(h);
    double mean = 0, var = 0;
    for (int64_t j = 0; j < h; ++j) {
      v[j] = double(word.data<float>()[ids.data<int32_t>()[i] * h + j]) + pos.data<float>()[p * h + j];
      if (seg) v[j] += seg->data<float>()[seg_ids->data<int32_t>()[i] * h + j];
      r.sum.data<float>()[i * h + j] = static_cast<float>(v[j]);
      mean += v[j] / h;
    }
    for (double x : v) var += (x - mean) * (x - mean) / h;
    for (int64_t j = 0; j < h; ++j)
      r.out.data<float>()[i * h + j] =
          static_cast<float>((v[j] - mean) / std::sqrt(var + eps) * gamma.data<float>()[j] + beta.data<float>()[j]);
  }
  return r;
}

Tensor ints(Shape shape, std::vector<int32_t> v) { return Tensor::from_vector<int32_t>(shape, v); }

TEST(ContribEmbedLayerNorm, MatchesReferenceWithSegmentsMaskAndSum) {
  const int64_t b = 2, s = 5, h = 13;
  const Tensor ids = ints({b, s}, {3, 0, 7, 9, 1, 2, 2, 8, 4, 6});
  const Tensor seg_ids = ints({b, s}, {0, 0, 1, 1, 1, 0, 1, 0, 1, 0});
  const Tensor mask = ints({b, s}, {1, 1, 1, 0, 0, 1, 1, 1, 1, 1});
  const Tensor word = random_tensor(DType::kFloat32, {10, h}, 1);
  const Tensor pos = random_tensor(DType::kFloat32, {8, h}, 2);
  const Tensor seg = random_tensor(DType::kFloat32, {2, h}, 3);
  const Tensor gamma = random_tensor(DType::kFloat32, {h}, 4);
  const Tensor beta = random_tensor(DType::kFloat32, {h}, 5);
  ir::Node node = ms_node("EmbedLayerNormalization", 8, 3);
  math::set_float(node, "epsilon", 1e-5f);
  auto out = run_ms(node, {ids, seg_ids, word, pos, seg, gamma, beta, mask}, 3);
  ASSERT_TRUE(out.ok()) << out.status().message();
  const EmbedRef ref = embed_ref(ids, &seg_ids, word, pos, &seg, gamma, beta, nullptr, 1e-5f);
  EXPECT_LE(max_abs_diff((*out)[0], ref.out), 1e-5);
  EXPECT_EQ(max_abs_diff((*out)[1], ints({b}, {3, 5})), 0.0);
  EXPECT_LE(max_abs_diff((*out)[2], ref.sum), 1e-6);

  // no segments, no mask (mask_index all 0), position_ids [B, S] and [1, S]
  const Tensor pid = ints({b, s}, {7, 6, 5, 4, 3, 0, 1, 2, 3, 4});
  const Tensor pid1 = ints({1, s}, {4, 3, 2, 1, 0});
  for (const Tensor* p : {&pid, &pid1}) {
    ir::Node n2 = ms_node("EmbedLayerNormalization", 9, 2);
    auto o2 = run_ms(n2, {ids, Tensor(), word, pos, Tensor(), gamma, beta, Tensor(), *p}, 2);
    ASSERT_TRUE(o2.ok()) << o2.status().message();
    EXPECT_LE(max_abs_diff((*o2)[0], embed_ref(ids, nullptr, word, pos, nullptr, gamma, beta, p, 1e-12f).out), 1e-5);
    EXPECT_EQ(max_abs_diff((*o2)[1], ints({b}, {0, 0})), 0.0);
  }
}

TEST(ContribEmbedLayerNorm, OutOfRangeIdsAreErrors) {
  const Tensor word = random_tensor(DType::kFloat32, {4, 6}, 1);
  const Tensor pos = random_tensor(DType::kFloat32, {3, 6}, 2);
  const Tensor g = random_tensor(DType::kFloat32, {6}, 3);
  ir::Node node = ms_node("EmbedLayerNormalization", 7);
  EXPECT_FALSE(run_ms(node, {ints({1, 2}, {0, 4}), Tensor(), word, pos, Tensor(), g, g}).ok());        // word id 4
  EXPECT_FALSE(run_ms(node, {ints({1, 4}, {0, 1, 2, 3}), Tensor(), word, pos, Tensor(), g, g}).ok());  // position 3
  EXPECT_TRUE(run_ms(node, {ints({1, 3}, {0, 1, 3}), Tensor(), word, pos, Tensor(), g, g}).ok());
}

}  // namespace
}  // namespace onyx::test
