// Transpose: every fast path (picked by transpose_path) against the plain per-element reference, on random
// tensors of every element size, odd sizes and 0-sized dims; plus the kernel's attribute handling.
// Expected values come from transpose_reference() in src/ep/cpu/kernels/tensor/transpose.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>

#include "src/ep/cpu/kernels/tensor/transpose.h"
#include "tests/kernels/kernel_test_util.h"

namespace onyx::test {
namespace {

using cpu::TransposePath;

ir::Attribute ints_attr(std::vector<int64_t> v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInts;
  a.ints = std::move(v);
  return a;
}

// Runs transpose() and transpose_reference() on a random tensor and expects identical bytes.
void expect_matches_reference(DType dtype, const Shape& shape, const std::vector<int64_t>& perm, unsigned seed) {
  const Tensor x = random_tensor(dtype, shape, seed, -100, 100);
  Tensor fast = Tensor::empty(dtype, shape), ref = Tensor::empty(dtype, shape);
  std::memset(fast.raw_data(), 0xab, fast.nbytes());
  std::memset(ref.raw_data(), 0xcd, ref.nbytes());
  cpu::transpose(x.raw_data(), fast.raw_data(), shape, perm, dtype_size(dtype));
  cpu::transpose_reference(x.raw_data(), ref.raw_data(), shape, perm, dtype_size(dtype));
  EXPECT_EQ(std::memcmp(fast.raw_data(), ref.raw_data(), x.nbytes()), 0)
      << dtype_name(dtype) << " shape " << shape_to_string(shape) << " perm " << shape_to_string(perm) << " path "
      << static_cast<int>(cpu::transpose_path(shape, perm));
}

TEST(TensorTranspose, PathSelection) {
  EXPECT_EQ(cpu::transpose_path(Shape{2, 3, 4, 5}, std::vector<int64_t>{0, 2, 1, 3}), TransposePath::kInnerContiguous);
  EXPECT_EQ(cpu::transpose_path(Shape{2, 3, 4, 5}, std::vector<int64_t>{0, 1, 3, 2}), TransposePath::kSwapLast2);
  EXPECT_EQ(cpu::transpose_path(Shape{7, 9}, std::vector<int64_t>{1, 0}), TransposePath::kSwapLast2);
  EXPECT_EQ(cpu::transpose_path(Shape{2, 3, 4, 5}, std::vector<int64_t>{3, 2, 1, 0}), TransposePath::kGeneral);
  EXPECT_EQ(cpu::transpose_path(Shape{2, 3, 4, 5}, std::vector<int64_t>{1, 3, 0, 2}), TransposePath::kGeneral);
  // NCHW -> NHWC merges H and W: [2, 3, 20] with perm [0, 2, 1]
  EXPECT_EQ(cpu::transpose_path(Shape{2, 3, 4, 5}, std::vector<int64_t>{0, 2, 3, 1}), TransposePath::kSwapLast2);
  // size-1 dims drop out: this is the identity
  EXPECT_EQ(cpu::transpose_path(Shape{1, 3, 1, 5}, std::vector<int64_t>{2, 1, 0, 3}), TransposePath::kCopy);
  // [0,2,1,3] with batch 1 still keeps the last axis last
  EXPECT_EQ(cpu::transpose_path(Shape{1, 3, 4, 5}, std::vector<int64_t>{0, 2, 1, 3}), TransposePath::kInnerContiguous);
  // swapping a dim with a size-1 dim moves no data
  EXPECT_EQ(cpu::transpose_path(Shape{2, 4, 1}, std::vector<int64_t>{0, 2, 1}), TransposePath::kCopy);
}

TEST(TensorTranspose, TransformerPermutationsMatchReference) {
  const std::vector<Shape> shapes = {{2, 3, 4, 5}, {1, 7, 3, 9}, {3, 1, 5, 1}, {2, 13, 12, 64}, {4, 65, 3, 33},
                                     {2, 0, 3, 4}, {0, 3, 4, 5}, {2, 3, 4, 0}, {1, 1, 1, 1}};
  unsigned seed = 1;
  for (DType dt : {DType::kFloat32, DType::kFloat16, DType::kInt8, DType::kInt64, DType::kBool})
    for (const Shape& s : shapes) {
      expect_matches_reference(dt, s, {0, 2, 1, 3}, seed++);
      expect_matches_reference(dt, s, {0, 1, 3, 2}, seed++);
    }
}

TEST(TensorTranspose, SwapLastTwoOddSizesMatchReference) {
  const std::vector<Shape> shapes = {{17, 33}, {1, 31}, {31, 1}, {3, 37, 129}, {5, 16, 16}, {2, 2, 15, 17}, {0, 5}};
  unsigned seed = 100;
  for (DType dt : {DType::kFloat32, DType::kBFloat16, DType::kUInt8, DType::kFloat64})
    for (const Shape& s : shapes) {
      std::vector<int64_t> perm(s.size());
      std::iota(perm.begin(), perm.end(), 0);
      std::swap(perm[s.size() - 1], perm[s.size() - 2]);
      expect_matches_reference(dt, s, perm, seed++);
    }
}

TEST(TensorTranspose, AllPermutationsUpToRank5MatchReference) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int64_t> dim(1, 6);
  unsigned seed = 1000;
  for (size_t rank = 0; rank <= 5; ++rank) {
    for (int trial = 0; trial < 2; ++trial) {
      Shape shape(rank);
      for (auto& d : shape) d = dim(rng);
      if (trial == 1 && rank > 1) shape[rank / 2] = 0;  // 0-sized dim
      std::vector<int64_t> perm(rank);
      std::iota(perm.begin(), perm.end(), 0);
      do {
        for (DType dt : {DType::kFloat32, DType::kInt16, DType::kInt8, DType::kUInt64})
          expect_matches_reference(dt, shape, perm, seed++);
      } while (std::next_permutation(perm.begin(), perm.end()));
    }
  }
}

TEST(TensorTranspose, LargeGeneralPathRunsInParallelChunks) {
  expect_matches_reference(DType::kFloat32, {8, 64, 3, 70}, {3, 1, 0, 2}, 5);
  expect_matches_reference(DType::kFloat32, {4, 128, 12, 64}, {0, 2, 1, 3}, 6);
  expect_matches_reference(DType::kFloat16, {4, 12, 128, 64}, {0, 1, 3, 2}, 7);
}

TEST(TensorTranspose, KernelDefaultPermReversesDims) {
  ir::Node node = make_node("Transpose", 1);
  const Tensor x = random_tensor(DType::kFloat32, {2, 3, 4}, 11);
  auto out = run_node(node, {x});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{4, 3, 2}));
  Tensor ref = Tensor::empty(DType::kFloat32, {4, 3, 2});
  cpu::transpose_reference(x.raw_data(), ref.raw_data(), x.shape(), std::vector<int64_t>{2, 1, 0}, 4);
  EXPECT_EQ(max_abs_diff((*out)[0], ref), 0.0);
}

TEST(TensorTranspose, KernelRejectsBadPerm) {
  ir::Node node = make_node("Transpose", 1);
  node.attributes["perm"] = ints_attr({0, 0, 1});
  auto out = run_node(node, {random_tensor(DType::kFloat32, {2, 3, 4}, 1)});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("Transpose_test"), std::string::npos) << out.status().to_string();

  node.attributes["perm"] = ints_attr({1, 0});
  out = run_node(node, {random_tensor(DType::kFloat32, {2, 3, 4}, 1)});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("[2, 3, 4]"), std::string::npos) << out.status().to_string();
}

}  // namespace
}  // namespace onyx::test
