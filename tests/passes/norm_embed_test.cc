// FuseEmbedLayerNorm: word + position [+ segment] embedding Gathers + LayerNormalization become
// com.microsoft.EmbedLayerNormalization with int32 ids (BERT: token_type_ids input and a sliced arange buffer;
// RoBERTa: computed position ids and buffered zero segment ids, folded into the position table; DistilBERT:
// Range positions, no segment; GPT-2: the sum read by the residual). Outputs are compared with the unoptimized
// model (1e-5) once the CPU EP implements the op.
#include <gtest/gtest.h>

#include "tests/passes/norm_test_util.h"

namespace onyx::test {
namespace {

using namespace norm_test;

constexpr int64_t kHidden = 8, kVocab = 20, kMaxPos = 16;

enum class Positions { kSlicedBuffer, kRange, kCumsum, kInput };
enum class Segments { kNone, kInput, kBufferedZeros };

struct EmbedOptions {
  Positions positions = Positions::kSlicedBuffer;
  Segments segments = Segments::kInput;
  bool sum_read_elsewhere = false;
  bool word_read_elsewhere = false;
  bool length_from_word_embeddings = false;  // DistilBERT: Shape(word embeddings) gives the sequence length
};

// Unsqueeze(Gather(Shape(ids), 1), [0]): the sequence length as a 1-D tensor.
void seq_len(ModelBuilder& m, const std::string& out, const std::string& of = "input_ids") {
  m.node("Shape", {of}, {out + "_shape"});
  constant_node(m, out + "_one", Tensor::from_vector<int64_t>({}, {1}));
  set_int(m.node("Gather", {out + "_shape", out + "_one"}, {out + "_scalar"}), "axis", 0);
  constant_node(m, out + "_axes", ints({0}));
  m.node("Unsqueeze", {out + "_scalar", out + "_axes"}, {out});
}

std::string embed_model(const EmbedOptions& o) {
  ModelBuilder m(14);
  m.input("input_ids", DType::kInt64, {-1, -1}, {"batch", "seq"});
  m.output("y", DType::kFloat32, {-1, -1, kHidden}, {"batch", "seq", ""});
  m.initializer("word", random_floats({kVocab, kHidden}, 41));
  m.initializer("pos", random_floats({kMaxPos, kHidden}, 42));
  m.initializer("seg", random_floats({2, kHidden}, 43));
  m.initializer("gamma", random_floats({kHidden}, 44, 0.5f, 1.5f));
  m.initializer("beta", random_floats({kHidden}, 45));
  std::vector<int64_t> iota(kMaxPos);
  for (int64_t i = 0; i < kMaxPos; ++i) iota[static_cast<size_t>(i)] = i;
  m.node("Gather", {"word", "input_ids"}, {"w"});
  switch (o.positions) {
    case Positions::kSlicedBuffer:
      constant_node(m, "pos_buffer", Tensor::from_vector<int64_t>({1, kMaxPos}, iota));
      seq_len(m, "len", o.length_from_word_embeddings ? "w" : "input_ids");
      constant_node(m, "zero1", ints({0}));
      constant_node(m, "one1", ints({1}));
      m.node("Slice", {"pos_buffer", "zero1", "len", "one1", "one1"}, {"pos_ids"});
      break;
    case Positions::kRange:
      seq_len(m, "len");
      constant_node(m, "zero", Tensor::from_vector<int64_t>({}, {0}));
      constant_node(m, "one", Tensor::from_vector<int64_t>({}, {1}));
      constant_node(m, "sq_axes", ints({0}));
      m.node("Squeeze", {"len", "sq_axes"}, {"len_sq"});
      m.node("Range", {"zero", "len_sq", "one"}, {"range"});
      constant_node(m, "un_axes", ints({0}));
      m.node("Unsqueeze", {"range", "un_axes"}, {"pos_ids"});
      break;
    case Positions::kCumsum:  // RoBERTa: cumsum(ids != pad) * (ids != pad) + pad
      constant_node(m, "pad", Tensor::from_vector<int64_t>({}, {1}));
      m.node("Equal", {"input_ids", "pad"}, {"is_pad"});
      m.node("Not", {"is_pad"}, {"not_pad"});
      set_int(m.node("Cast", {"not_pad"}, {"mask_i"}), "to", 6);
      constant_node(m, "axis1", Tensor::from_vector<int64_t>({}, {1}));
      m.node("CumSum", {"mask_i", "axis1"}, {"cs"});
      m.node("Mul", {"cs", "mask_i"}, {"csm"});
      set_int(m.node("Cast", {"csm"}, {"csm64"}), "to", 7);
      m.node("Add", {"csm64", "pad"}, {"pos_ids"});
      break;
    case Positions::kInput:
      m.input("position_ids", DType::kInt64, {-1, -1}, {"batch", "seq"});
      set_int(m.node("Cast", {"position_ids"}, {"pos_ids"}), "to", 7);
      break;
  }
  if (o.word_read_elsewhere) m.output("w", DType::kFloat32, {-1, -1, kHidden}, {"batch", "seq", ""});
  m.node("Gather", {"pos", "pos_ids"}, {"p"});
  std::string first = "w";
  if (o.segments == Segments::kInput) {
    m.input("token_type_ids", DType::kInt64, {-1, -1}, {"batch", "seq"});
    m.node("Gather", {"seg", "token_type_ids"}, {"s"});
  } else if (o.segments == Segments::kBufferedZeros) {
    constant_node(m, "tt_buffer", Tensor::from_vector<int64_t>({1, kMaxPos}, std::vector<int64_t>(kMaxPos, 0)));
    seq_len(m, "tt_len");
    constant_node(m, "tt_zero", ints({0}));
    constant_node(m, "tt_one", ints({1}));
    m.node("Slice", {"tt_buffer", "tt_zero", "tt_len", "tt_one", "tt_one"}, {"tt_sliced"});
    m.node("Shape", {"input_ids"}, {"ids_shape"});
    m.node("Expand", {"tt_sliced", "ids_shape"}, {"tt_ids"});
    m.node("Gather", {"seg", "tt_ids"}, {"s"});
  }
  if (o.segments != Segments::kNone) {
    m.node("Add", {"w", "s"}, {"ws"});
    first = "ws";
  }
  m.node("Add", {first, "p"}, {"sum"});
  if (o.sum_read_elsewhere) {
    m.node("Relu", {"sum"}, {"residual"});
    m.output("residual", DType::kFloat32, {-1, -1, kHidden}, {"batch", "seq", ""});
  }
  set_float(m.node("LayerNormalization", {"sum", "gamma", "beta"}, {"y"}), "epsilon", 1e-12f);
  return m.bytes();
}

NamedTensors embed_inputs(const EmbedOptions& o) {
  // Batch 2, sequence 5; the second row ends with padding (id 1) for the RoBERTa positions.
  NamedTensors in = {{"input_ids", Tensor::from_vector<int64_t>({2, 5}, {3, 7, 19, 4, 2, 5, 9, 1, 1, 1})}};
  if (o.segments == Segments::kInput)
    in.push_back({"token_type_ids", Tensor::from_vector<int64_t>({2, 5}, {0, 0, 1, 1, 1, 0, 1, 1, 0, 0})});
  if (o.positions == Positions::kInput)
    in.push_back({"position_ids", Tensor::from_vector<int64_t>({2, 5}, {3, 4, 5, 6, 7, 0, 1, 2, 3, 4})});
  return in;
}

const ir::Node* embed_node(const ir::Graph& g) {
  for (const auto& n : g.nodes)
    if (n.op_type == "EmbedLayerNormalization") return &n;
  return nullptr;
}

PassResult fuse(const EmbedOptions& o) {
  return run_passes(embed_model(o), {"FuseEmbedLayerNorm"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
}

void expect_outputs(const EmbedOptions& o) {
  expect_same_on_cpu(embed_model(o), "FuseEmbedLayerNorm", "EmbedLayerNormalization", "com.microsoft", 1,
                     embed_inputs(o), 1);
}

TEST(FuseEmbedLayerNorm, BertSlicedPositionBufferAndTokenTypes) {
  PassResult r = fuse({});
  const ir::Node* e = embed_node(r.graph);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->domain, "com.microsoft");
  EXPECT_EQ(count_ops(r.graph, "Gather"), 1);  // only the Shape->Gather of the (now dead) slice end is left
  EXPECT_EQ(count_ops(r.graph, "Add"), 0);
  EXPECT_EQ(count_ops(r.graph, "LayerNormalization"), 0);
  ASSERT_EQ(e->inputs.size(), 7u);  // no mask, no position ids (arange)
  EXPECT_EQ(e->inputs[2], "word");
  EXPECT_EQ(e->inputs[3], "pos");
  EXPECT_EQ(e->inputs[4], "seg");
  EXPECT_EQ(e->inputs[5], "gamma");
  EXPECT_EQ(e->inputs[6], "beta");
  EXPECT_EQ(e->outputs.size(), 2u);
  EXPECT_FALSE(e->outputs[1].empty());
  EXPECT_EQ(count_ops(r.graph, "Cast"), 2);  // int32 input_ids and token_type_ids
  EXPECT_FLOAT_EQ(e->attr_float("epsilon", 0), 1e-12f);
  expect_outputs({});
}

TEST(FuseEmbedLayerNorm, RobertaComputedPositionsAndBufferedZeroSegments) {
  const EmbedOptions o{.positions = Positions::kCumsum, .segments = Segments::kBufferedZeros};
  PassResult r = fuse(o);
  const ir::Node* e = embed_node(r.graph);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->inputs.size(), 9u);
  EXPECT_TRUE(e->inputs[1].empty());  // segment row 0 folded into the position table
  EXPECT_TRUE(e->inputs[4].empty());
  EXPECT_NE(e->inputs[3], "pos");
  EXPECT_TRUE(e->inputs[7].empty());   // mask
  EXPECT_FALSE(e->inputs[8].empty());  // position ids, int32
  ASSERT_EQ(r.graph.initializers.count(e->inputs[3]), 1u);
  const Tensor& folded = r.graph.initializers.at(e->inputs[3]);
  const Tensor pos = random_floats({kMaxPos, kHidden}, 42);  // as embed_model made them
  const Tensor seg = random_floats({2, kHidden}, 43);
  EXPECT_EQ(r.graph.initializers.count("seg"), 0u);
  EXPECT_FLOAT_EQ(folded.data<float>()[kHidden + 3], pos.data<float>()[kHidden + 3] + seg.data<float>()[3]);
  expect_outputs(o);
}

TEST(FuseEmbedLayerNorm, DistilbertRangePositionsNoSegment) {
  const EmbedOptions o{.positions = Positions::kRange, .segments = Segments::kNone};
  PassResult r = fuse(o);
  const ir::Node* e = embed_node(r.graph);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->inputs.size(), 7u);
  EXPECT_TRUE(e->inputs[1].empty());
  EXPECT_TRUE(e->inputs[4].empty());
  expect_outputs(o);
}

TEST(FuseEmbedLayerNorm, PositionIdsInputAndSumReadElsewhere) {
  const EmbedOptions o{.positions = Positions::kInput, .segments = Segments::kNone, .sum_read_elsewhere = true};
  PassResult r = fuse(o);
  const ir::Node* e = embed_node(r.graph);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->inputs.size(), 9u);
  ASSERT_EQ(e->outputs.size(), 3u);
  EXPECT_EQ(e->outputs[2], "sum");
  expect_outputs(o);
}

TEST(FuseEmbedLayerNorm, DistilbertSequenceLengthFromWordEmbeddings) {
  // The word Gather's output is also read by the Shape giving the slice end: that Shape reads the fused output now.
  const EmbedOptions o{.segments = Segments::kNone, .length_from_word_embeddings = true};
  PassResult r = fuse(o);
  const ir::Node* e = embed_node(r.graph);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(count_ops(r.graph, "Gather"), 1);  // the Shape -> Gather of the (dead) slice end
  for (const auto& n : r.graph.nodes) {
    if (n.op_type == "Shape") {
      EXPECT_EQ(n.inputs[0], "y");
    }
  }
  expect_outputs(o);
}

TEST(FuseEmbedLayerNorm, StaticShapeExportWithFoldedLookups) {
  // A static-shape export after constant folding: the position lookup is its rows [1, 5, H], the buffered zero
  // token types are one repeated row [1, 5, H]. Positions become the position table, the segment row is folded in.
  ModelBuilder m(14);
  m.input("input_ids", DType::kInt64, {2, 5});
  m.output("y", DType::kFloat32, {2, 5, kHidden});
  m.initializer("word", random_floats({kVocab, kHidden}, 41));
  const Tensor pos = random_floats({1, 5, kHidden}, 42);
  Tensor seg = Tensor::empty(DType::kFloat32, {1, 5, kHidden});
  const Tensor seg_row = random_floats({kHidden}, 43);
  for (int64_t r = 0; r < 5; ++r)
    for (int64_t c = 0; c < kHidden; ++c) seg.data<float>()[r * kHidden + c] = seg_row.data<float>()[c];
  m.initializer("pos_rows", pos);
  m.initializer("seg_rows", seg);
  m.initializer("gamma", random_floats({kHidden}, 44, 0.5f, 1.5f));
  m.initializer("beta", random_floats({kHidden}, 45));
  m.node("Gather", {"word", "input_ids"}, {"w"});
  m.node("Add", {"w", "seg_rows"}, {"ws"});
  m.node("Add", {"ws", "pos_rows"}, {"sum"});
  set_float(m.node("LayerNormalization", {"sum", "gamma", "beta"}, {"y"}), "epsilon", 1e-12f);
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, {"FuseEmbedLayerNorm"}, opt::Level::kReducedPrecision, true);
  const ir::Node* e = embed_node(r.graph);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->inputs.size(), 7u);  // no segment input, no position ids
  EXPECT_TRUE(e->inputs[1].empty());
  const Tensor& table = r.graph.initializers.at(e->inputs[3]);
  EXPECT_EQ(table.shape(), (Shape{5, kHidden}));
  EXPECT_FLOAT_EQ(table.data<float>()[2 * kHidden + 1], pos.data<float>()[2 * kHidden + 1] + seg_row.data<float>()[1]);
  expect_same_on_cpu(bytes, "FuseEmbedLayerNorm", "EmbedLayerNormalization", "com.microsoft", 1,
                     {{"input_ids", Tensor::from_vector<int64_t>({2, 5}, {3, 7, 19, 4, 2, 5, 9, 1, 1, 1})}}, 1);
}

TEST(FuseEmbedLayerNorm, WordEmbeddingReadElsewhereStays) {
  PassResult r = fuse({.word_read_elsewhere = true});
  EXPECT_EQ(embed_node(r.graph), nullptr);
  EXPECT_EQ(count_ops(r.graph, "LayerNormalization"), 1);
}

TEST(FuseEmbedLayerNorm, WordAndSegmentWithoutPositionsStay) {
  ModelBuilder m(14);
  m.input("input_ids", DType::kInt64, {2, 5});
  m.input("token_type_ids", DType::kInt64, {2, 5});
  m.output("y", DType::kFloat32, {2, 5, kHidden});
  m.initializer("word", random_floats({kVocab, kHidden}, 41));
  m.initializer("seg", random_floats({2, kHidden}, 43));
  m.initializer("gamma", random_floats({kHidden}, 44));
  m.initializer("beta", random_floats({kHidden}, 45));
  m.node("Gather", {"word", "input_ids"}, {"w"});
  m.node("Gather", {"seg", "token_type_ids"}, {"s"});
  m.node("Add", {"w", "s"}, {"sum"});
  m.node("LayerNormalization", {"sum", "gamma", "beta"}, {"y"});
  PassResult r = run_passes(m.bytes(), {"FuseEmbedLayerNorm"}, opt::Level::kReducedPrecision, true);
  EXPECT_EQ(embed_node(r.graph), nullptr);
}

}  // namespace
}  // namespace onyx::test
