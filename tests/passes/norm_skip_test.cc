// FuseSkipLayerNorm: residual Add (+ projection bias) + LayerNormalization / SimplifiedLayerNormalization become
// com.microsoft SkipLayerNormalization / SkipSimplifiedLayerNormalization; the sum is output 3 when read elsewhere;
// Adds that broadcast (or embedding sums) stay. Outputs are compared with the unoptimized model (1e-5) once the CPU
// EP implements the fused op.
#include <gtest/gtest.h>

#include "tests/passes/norm_test_util.h"

namespace onyx::test {
namespace {

using namespace norm_test;

constexpr int64_t kHidden = 8;

struct SkipOptions {
  bool bias = true;  // Add(bias, MatMul) before the residual Add
  bool bias_read_elsewhere = false;
  bool pre_norm = false;    // the residual sum is also a graph output (read after the norm)
  bool simplified = false;  // SimplifiedLayerNormalization (T5): Cast(float) between the Add and the norm
};

std::string skip_model(const SkipOptions& o) {
  ModelBuilder m(17);
  m.input("x", DType::kFloat32, {2, 3, kHidden});
  m.output("y", DType::kFloat32, {2, 3, kHidden});
  m.initializer("w", random_floats({kHidden, kHidden}, 31));
  m.initializer("bias", random_floats({kHidden}, 32));
  m.initializer("gamma", random_floats({kHidden}, 33, 0.5f, 1.5f));
  m.initializer("beta", random_floats({kHidden}, 34));
  m.node("MatMul", {"x", "w"}, {"h"});
  std::string proj = "h";
  if (o.bias) {
    m.node("Add", {"bias", "h"}, {"hb"});
    proj = "hb";
  }
  if (o.bias_read_elsewhere) m.output("hb", DType::kFloat32, {2, 3, kHidden});
  m.node("Add", {proj, "x"}, {"sum"});
  std::string normed = "sum";
  if (o.simplified) {
    set_int(m.node("Cast", {"sum"}, {"sumf"}), "to", 1);
    normed = "sumf";
    m.node("Relu", {"sumf"}, {"later"});  // the residual path reads the Cast, as in T5
    m.output("later", DType::kFloat32, {2, 3, kHidden});
    set_float(m.node("SimplifiedLayerNormalization", {normed, "gamma"}, {"y"}), "epsilon", 1e-6f);
  } else {
    set_float(m.node("LayerNormalization", {normed, "gamma", "beta"}, {"y"}), "epsilon", 1e-12f);
  }
  if (o.pre_norm) m.output("sum", DType::kFloat32, {2, 3, kHidden});
  return m.bytes();
}

NamedTensors skip_inputs() { return {{"x", random_floats({2, 3, kHidden}, 9)}}; }

const ir::Node* find(const ir::Graph& g, const std::string& op) {
  for (const auto& n : g.nodes)
    if (n.op_type == op) return &n;
  return nullptr;
}

TEST(FuseSkipLayerNorm, PostNormWithProjectionBias) {
  const std::string bytes = skip_model({});
  PassResult r = run_passes(bytes, {"FuseSkipLayerNorm"}, opt::Level::kReducedPrecision, true);
  ASSERT_EQ(count_ops(r.graph, "SkipLayerNormalization"), 1);
  EXPECT_EQ(count_ops(r.graph, "Add"), 0);
  EXPECT_EQ(count_ops(r.graph, "LayerNormalization"), 0);
  const ir::Node* s = find(r.graph, "SkipLayerNormalization");
  EXPECT_EQ(s->domain, "com.microsoft");
  EXPECT_EQ(s->inputs, (std::vector<std::string>{"h", "x", "gamma", "beta", "bias"}));
  EXPECT_EQ(s->outputs, (std::vector<std::string>{"y"}));
  EXPECT_FLOAT_EQ(s->attr_float("epsilon", 0), 1e-12f);
  EXPECT_EQ(r.graph.opset("com.microsoft"), 1);
  expect_same_on_cpu(bytes, "FuseSkipLayerNorm", "SkipLayerNormalization", "com.microsoft", 1, skip_inputs(), 1);
}

TEST(FuseSkipLayerNorm, PreNormSumIsOutput3) {
  const std::string bytes = skip_model({.bias = false, .pre_norm = true});
  PassResult r = run_passes(bytes, {"FuseSkipLayerNorm"}, opt::Level::kReducedPrecision, true);
  ASSERT_EQ(count_ops(r.graph, "SkipLayerNormalization"), 1);
  const ir::Node* s = find(r.graph, "SkipLayerNormalization");
  EXPECT_EQ(s->inputs, (std::vector<std::string>{"h", "x", "gamma", "beta"}));
  EXPECT_EQ(s->outputs, (std::vector<std::string>{"y", "", "", "sum"}));
  expect_same_on_cpu(bytes, "FuseSkipLayerNorm", "SkipLayerNormalization", "com.microsoft", 1, skip_inputs(), 1);
}

TEST(FuseSkipLayerNorm, BiasReadElsewhereStaysOutside) {
  const std::string bytes = skip_model({.bias_read_elsewhere = true});
  PassResult r = run_passes(bytes, {"FuseSkipLayerNorm"}, opt::Level::kReducedPrecision, true);
  ASSERT_EQ(count_ops(r.graph, "SkipLayerNormalization"), 1);
  EXPECT_EQ(count_ops(r.graph, "Add"), 1);
  EXPECT_EQ(find(r.graph, "SkipLayerNormalization")->inputs, (std::vector<std::string>{"hb", "x", "gamma", "beta"}));
}

TEST(FuseSkipLayerNorm, T5SimplifiedThroughNoOpCast) {
  const std::string bytes = skip_model({.bias = false, .simplified = true});
  PassResult r = run_passes(bytes, {"FuseSkipLayerNorm"}, opt::Level::kReducedPrecision, true);
  ASSERT_EQ(count_ops(r.graph, "SkipSimplifiedLayerNormalization"), 1);
  const ir::Node* s = find(r.graph, "SkipSimplifiedLayerNormalization");
  EXPECT_EQ(s->inputs, (std::vector<std::string>{"h", "x", "gamma"}));
  EXPECT_EQ(s->outputs, (std::vector<std::string>{"y", "", "", "sum"}));
  EXPECT_EQ(count_ops(r.graph, "Cast"), 1);  // still read by the residual path; it now reads output 3
  EXPECT_EQ(count_ops(r.graph, "Add"), 0);
  expect_same_on_cpu(bytes, "FuseSkipLayerNorm", "SkipSimplifiedLayerNormalization", "com.microsoft", 1, skip_inputs(),
                     1);
}

TEST(FuseSkipLayerNorm, BroadcastingAddStays) {
  // x [2, 3, 8] + v [8] (a run-time vector, not a bias constant): SkipLayerNormalization cannot broadcast it.
  ModelBuilder m(17);
  m.input("x", DType::kFloat32, {2, 3, kHidden});
  m.input("v", DType::kFloat32, {kHidden});
  m.output("y", DType::kFloat32, {2, 3, kHidden});
  m.initializer("gamma", random_floats({kHidden}, 33));
  m.initializer("beta", random_floats({kHidden}, 34));
  m.node("Add", {"x", "v"}, {"sum"});
  m.node("LayerNormalization", {"sum", "gamma", "beta"}, {"y"});
  PassResult r = run_passes(m.bytes(), {"FuseSkipLayerNorm"}, opt::Level::kReducedPrecision, true);
  EXPECT_EQ(count_ops(r.graph, "SkipLayerNormalization"), 0);
}

TEST(FuseSkipLayerNorm, BatchBroadcastSkipGoesSecond) {
  // p [1, 3, 8] + x [2, 3, 8]: ONNX Runtime broadcasts a batch-1 skip, so p must be the skip input.
  ModelBuilder m(17);
  m.input("x", DType::kFloat32, {2, 3, kHidden});
  m.input("p", DType::kFloat32, {1, 3, kHidden});
  m.output("y", DType::kFloat32, {2, 3, kHidden});
  m.initializer("gamma", random_floats({kHidden}, 33));
  m.initializer("beta", random_floats({kHidden}, 34));
  m.node("Add", {"p", "x"}, {"sum"});
  m.node("LayerNormalization", {"sum", "gamma", "beta"}, {"y"});
  PassResult r = run_passes(m.bytes(), {"FuseSkipLayerNorm"}, opt::Level::kReducedPrecision, true);
  ASSERT_EQ(count_ops(r.graph, "SkipLayerNormalization"), 1);
  EXPECT_EQ(find(r.graph, "SkipLayerNormalization")->inputs[1], "p");
}

TEST(FuseSkipLayerNorm, BatchOneInputAgainstNamedBatchSkipIsSwappedOrRefused) {
  // input [1, 3, 8] + skip [batch, 3, 8]: the batch-1 side must be the skip (no bias: swapped).
  ModelBuilder m(17);
  m.input("p", DType::kFloat32, {1, 3, kHidden});
  m.input("x", DType::kFloat32, {-1, 3, kHidden}, {"batch", "", ""});
  m.output("y", DType::kFloat32, {-1, 3, kHidden}, {"batch", "", ""});
  m.initializer("gamma", random_floats({kHidden}, 33));
  m.initializer("beta", random_floats({kHidden}, 34));
  m.node("Add", {"p", "x"}, {"sum"});
  m.node("LayerNormalization", {"sum", "gamma", "beta"}, {"y"});
  PassResult r = run_passes(m.bytes(), {"FuseSkipLayerNorm"}, opt::Level::kReducedPrecision, true);
  ASSERT_EQ(count_ops(r.graph, "SkipLayerNormalization"), 1);
  EXPECT_EQ(find(r.graph, "SkipLayerNormalization")->inputs[0], "x");
  EXPECT_EQ(find(r.graph, "SkipLayerNormalization")->inputs[1], "p");
}

// Gather(table, ids) + x -> LayerNorm; `dynamic_ids`: the ids go through a Reshape to a run-time shape, so the
// lookup's shape is unknown (it could be position rows broadcast over the batch).
std::string embedding_residual_model(bool dynamic_ids) {
  ModelBuilder m(17);
  m.input("ids", DType::kInt64, {2, 3});
  m.input("x", DType::kFloat32, {2, 3, kHidden});
  m.output("y", DType::kFloat32, {2, 3, kHidden});
  m.initializer("table", random_floats({10, kHidden}, 35));
  m.initializer("gamma", random_floats({kHidden}, 33));
  m.initializer("beta", random_floats({kHidden}, 34));
  std::string ids = "ids";
  if (dynamic_ids) {
    m.input("ids_shape", DType::kInt64, {-1});
    m.node("Reshape", {"ids", "ids_shape"}, {"ids_r"});
    ids = "ids_r";
  }
  m.node("Gather", {"table", ids}, {"emb"});
  m.node("Add", {"emb", "x"}, {"sum"});
  m.node("LayerNormalization", {"sum", "gamma", "beta"}, {"y"});
  return m.bytes();
}

TEST(FuseSkipLayerNorm, EmbeddingOfUnknownShapeStays) {
  PassResult r = run_passes(embedding_residual_model(true), {"FuseSkipLayerNorm"}, opt::Level::kReducedPrecision, true);
  EXPECT_EQ(count_ops(r.graph, "SkipLayerNormalization"), 0);
}

TEST(FuseSkipLayerNorm, WordEmbeddingResidualOfKnownShape) {
  // T5 after no-op Cast elimination: the first residual is the word embedding lookup, [2, 3, 8] from the ids.
  const std::string bytes = embedding_residual_model(false);
  PassResult r = run_passes(bytes, {"FuseSkipLayerNorm"}, opt::Level::kReducedPrecision, true);
  EXPECT_EQ(count_ops(r.graph, "SkipLayerNormalization"), 1);
  expect_same_on_cpu(
      bytes, "FuseSkipLayerNorm", "SkipLayerNormalization", "com.microsoft", 1,
      {{"ids", Tensor::from_vector<int64_t>({2, 3}, {1, 4, 9, 0, 2, 2})}, {"x", random_floats({2, 3, kHidden}, 9)}}, 1);
}

}  // namespace
}  // namespace onyx::test
