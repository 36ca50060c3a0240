// Weights are read once (src/onnx/wire_scan.h): the loaded initializers are bit-identical to a plain protobuf parse
// of the committed test models (tests/models/data, made by scripts/export_test_models.py), external data still loads,
// truncated or corrupt files give clean errors; and the plan frees initializers a kernel packed
// (Kernel::packed_constant_input) unless something else still reads them.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "src/onnx/model_loader.h"
#include "src/onnx/model_saver.h"
#include "src/onnx/tensor_proto.h"
#include "src/onnx/wire_scan.h"
#include "src/runtime/execution_plan.h"
#include "tests/unit/model_builder.h"

namespace onyx::test {
namespace {

const char* const kTestModels[] = {"bert_opset14",       "distilbert_opset17", "gpt2_past_opset17",
                                   "t5_encoder_opset14", "albert_opset14",     "xlm_roberta_opset17"};

std::string model_path(const std::string& name) {
  return std::string(ONYX_SOURCE_DIR) + "/tests/models/data/" + name + "/model.onnx";
}

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

std::span<const uint8_t> as_span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void expect_same_tensor(const Tensor& got, const Tensor& want, const std::string& what) {
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  ASSERT_EQ(got.shape(), want.shape()) << what;
  ASSERT_EQ(got.nbytes(), want.nbytes()) << what;
  EXPECT_EQ(std::memcmp(got.raw_data(), want.raw_data(), want.nbytes()), 0) << what << ": bytes differ";
}

// Initializers and tensor attributes of a model, converted from protobuf's own parse of all its bytes.
void expect_matches_plain_parse(const ir::Graph& g, const std::string& bytes, const std::string& what) {
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(bytes)) << what;
  ASSERT_EQ(g.initializers.size(), static_cast<size_t>(proto.graph().initializer_size())) << what;
  for (const auto& init : proto.graph().initializer()) {
    auto want = onnx_io::tensor_from_proto(init, ".", init.name());
    ASSERT_TRUE(want.ok()) << want.status().to_string();
    ASSERT_TRUE(g.initializers.count(init.name())) << what << ": " << init.name();
    expect_same_tensor(g.initializers.at(init.name()), *want, what + " initializer " + init.name());
  }
  ASSERT_EQ(g.nodes.size(), static_cast<size_t>(proto.graph().node_size()));
  for (int i = 0; i < proto.graph().node_size(); ++i)
    for (const auto& a : proto.graph().node(i).attribute()) {
      if (a.type() != onnx::AttributeProto::TENSOR) continue;
      auto want = onnx_io::tensor_from_proto(a.t(), ".", a.name());
      ASSERT_TRUE(want.ok()) << want.status().to_string();
      expect_same_tensor(g.nodes[i].attributes.at(a.name()).t, *want, what + " " + g.nodes[i].describe());
    }
}

TEST(WeightLoading, InitializersBitIdenticalToProtobufParseOnTestModels) {
  size_t detached = 0;
  for (const char* name : kTestModels) {
    const std::string path = model_path(name);
    const std::string bytes = read_bytes(path);
    ASSERT_FALSE(bytes.empty()) << path;
    auto scan = onnx_io::strip_raw_data(as_span(bytes), onnx_io::kDetachMinBytes);
    ASSERT_TRUE(scan.has_value()) << path;
    detached += scan->detached.size();

    auto from_file = onnx_io::load_model_file(path);
    ASSERT_TRUE(from_file.ok()) << from_file.status().to_string();
    expect_matches_plain_parse(*from_file, bytes, path);
    auto from_bytes = onnx_io::load_model_bytes(bytes, ".");
    ASSERT_TRUE(from_bytes.ok()) << from_bytes.status().to_string();
    expect_matches_plain_parse(*from_bytes, bytes, std::string(name) + " (bytes)");
  }
  EXPECT_GT(detached, 20u) << "the test models should exercise the detached raw_data path";
}

// Stripping every raw_data (min_bytes 1) and putting the bytes back gives protobuf's parse of the original.
TEST(WeightLoading, StrippedModelPlusDetachedBytesIsTheOriginalModel) {
  for (const char* name : kTestModels) {
    const std::string bytes = read_bytes(model_path(name));
    auto scan = onnx_io::strip_raw_data(as_span(bytes), 1);
    ASSERT_TRUE(scan.has_value()) << name;
    EXPECT_FALSE(scan->detached.empty()) << name;
    onnx::ModelProto stripped, original;
    ASSERT_TRUE(stripped.ParseFromString(scan->bytes)) << name;
    ASSERT_TRUE(original.ParseFromString(bytes)) << name;
    for (const auto& d : scan->detached) {
      auto* g = stripped.mutable_graph();
      onnx::TensorProto* t = d.node < 0 ? g->mutable_initializer(d.index)
                                        : g->mutable_node(d.node)->mutable_attribute(d.index)->mutable_t();
      EXPECT_FALSE(t->has_raw_data()) << name;
      t->set_raw_data(bytes.substr(d.raw.offset, d.raw.size));
    }
    EXPECT_EQ(stripped.SerializeAsString(), original.SerializeAsString()) << name;
  }
}

// A model whose weights are large enough to be detached: a MatMul weight, a Constant node's tensor, an int64 shape
// kept inline (shape inference reads it), and optionally one weight in an external file.
ModelBuilder mixed_model(const std::string& external_dir = "") {
  ModelBuilder b(14);
  b.input("x", DType::kFloat32, {2, 64}).output("y", DType::kFloat32, {2, 4, 32});
  std::vector<float> w(64 * 64), c(64 * 64);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.001f * static_cast<float>(i % 97) - 0.03f;
  for (size_t i = 0; i < c.size(); ++i) c[i] = static_cast<float>(i % 13);
  b.initializer("w", Tensor::from_vector<float>({64, 64}, w));
  b.initializer("shape", Tensor::from_vector<int64_t>({3}, {2, 4, 32}));
  constant_node(b, "c", Tensor::from_vector<float>({64, 64}, c));
  b.node("MatMul", {"x", "w"}, {"xw"});
  b.node("MatMul", {"xw", "c"}, {"xwc"});
  if (!external_dir.empty()) {
    b.external_initializer("e", Tensor::from_vector<float>({64, 64}, w), external_dir, "e.bin");
    b.node("MatMul", {"xwc", "e"}, {"xwce"});
    b.node("Reshape", {"xwce", "shape"}, {"y"});
  } else {
    b.node("Reshape", {"xwc", "shape"}, {"y"});
  }
  return b;
}

TEST(WeightLoading, CheckerAndShapeInferenceStillRunOnTheStrippedModel) {
  ModelBuilder b = mixed_model();
  const std::string bytes = b.bytes();
  auto scan = onnx_io::strip_raw_data(as_span(bytes), onnx_io::kDetachMinBytes);
  ASSERT_TRUE(scan.has_value());
  ASSERT_EQ(scan->detached.size(), 2u);  // w and the Constant; "shape" stays inline
  auto g = onnx_io::load_model_bytes(bytes, ".");
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  expect_matches_plain_parse(*g, bytes, "mixed");
  // ONNX's shape inference saw the detached weights' dims and the inline shape's values.
  ASSERT_TRUE(g->value_info.count("xwc"));
  EXPECT_EQ(g->value_info.at("xwc").to_string(), "xwc: float32 [2, 64]");

  // The checker still runs: an invalid node is reported even though the big tensors' data was detached.
  b.node("Relu", {"w", "w"}, {"bad"});
  auto bad = onnx_io::load_model_bytes(b.bytes(), ".");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("checker"), std::string::npos) << bad.status().to_string();
  onnx_io::LoadOptions no_check;
  no_check.run_onnx_checker = false;
  EXPECT_TRUE(onnx_io::load_model_bytes(b.bytes(), ".", no_check).ok());
}

TEST(WeightLoading, ExternalDataModelsStillLoad) {
  const std::string dir = temp_dir("weights_external");
  ModelBuilder b = mixed_model(dir);
  const std::string path = b.save(dir + "/model.onnx");
  auto g = onnx_io::load_model_file(path);  // inline detached weights + an external one, checker on
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  expect_same_tensor(g->initializers.at("e"), g->initializers.at("w"), "external e");

  // model_saver's external data file, for a whole test model.
  auto original = onnx_io::load_model_file(model_path("bert_opset14"));
  ASSERT_TRUE(original.ok()) << original.status().to_string();
  onnx_io::SaveOptions save;
  save.external_data_min_bytes = 1024;
  save.external_data_total_bytes = 0;
  const std::string saved = dir + "/bert.onnx";
  ASSERT_TRUE(onnx_io::save_model_file(*original, saved, save).ok());
  ASSERT_TRUE(std::filesystem::exists(saved + ".data"));
  auto reloaded = onnx_io::load_model_file(saved);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().to_string();
  ASSERT_EQ(reloaded->initializers.size(), original->initializers.size());
  for (const auto& [name, t] : original->initializers) expect_same_tensor(reloaded->initializers.at(name), t, name);
}

TEST(WeightLoading, TruncatedFilesGiveACleanError) {
  const std::string bytes = read_bytes(model_path("bert_opset14"));
  const std::string dir = temp_dir("weights_truncated");
  for (size_t cut : {size_t{1}, size_t{7}, bytes.size() / 4, bytes.size() / 3, bytes.size() / 2, bytes.size() * 3 / 4,
                     bytes.size() - 100, bytes.size() - 1}) {
    const std::string part = bytes.substr(0, cut);
    auto g = onnx_io::load_model_bytes(part, ".");
    ASSERT_FALSE(g.ok()) << "cut at " << cut;
    EXPECT_NE(g.status().message().find("ONNX model"), std::string::npos) << g.status().to_string();
    const std::string path = dir + "/cut.onnx";
    std::ofstream(path, std::ios::binary) << part;
    auto f = onnx_io::load_model_file(path);
    ASSERT_FALSE(f.ok()) << "cut at " << cut;
    EXPECT_NE(f.status().message().find(path), std::string::npos) << f.status().to_string();
  }
  const std::string empty = dir + "/empty.onnx";
  std::ofstream(empty, std::ios::binary).flush();
  auto e = onnx_io::load_model_file(empty);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("empty"), std::string::npos) << e.status().to_string();
}

// Random byte flips: loading returns (a graph or an error) and fails whenever protobuf cannot parse the bytes.
TEST(WeightLoading, CorruptFilesNeverCrashTheLoader) {
  const std::string bytes = read_bytes(model_path("distilbert_opset17"));
  std::mt19937 rng(1234);
  onnx_io::LoadOptions no_check;  // keep the 300 loads fast; the checker is covered above
  no_check.run_onnx_checker = false;
  int failed = 0;
  for (int iter = 0; iter < 300; ++iter) {
    std::string corrupt = bytes;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < flips; ++k) corrupt[rng() % corrupt.size()] ^= static_cast<char>(1 + rng() % 255);
    onnx::ModelProto proto;
    const bool protobuf_ok = proto.ParseFromString(corrupt);
    auto g = onnx_io::load_model_bytes(corrupt, ".", no_check);
    if (!protobuf_ok) EXPECT_FALSE(g.ok()) << "iteration " << iter;
    if (!g.ok()) {
      EXPECT_FALSE(g.status().message().empty());
      ++failed;
    }
  }
  EXPECT_GT(failed, 0);
}

TEST(WeightLoading, DetachedRawDataOfTheWrongSizeIsAnErrorBeforeAllocating) {
  ModelBuilder b = mixed_model();
  auto* w = b.proto().mutable_graph()->mutable_initializer(0);
  w->set_dims(0, int64_t{1} << 40);  // 4 TiB claimed, 16 KiB stored
  auto g = onnx_io::load_model_bytes(b.bytes(), ".");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("raw_data has 16384 bytes"), std::string::npos) << g.status().to_string();
  w->set_dims(0, int64_t{1} << 62);  // numel * 4 overflows int64
  w->set_dims(1, 4);
  g = onnx_io::load_model_bytes(b.bytes(), ".");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("too large"), std::string::npos) << g.status().to_string();
}

// Was: std::stoll threw on a non-numeric external data offset/length and the exception ended the process.
TEST(WeightLoading, ExternalDataOffsetNotANumberIsAnErrorNotACrash) {
  const std::string dir = temp_dir("weights_bad_offset");
  ModelBuilder b;
  b.output("y", DType::kFloat32, {4});
  b.external_initializer("y", Tensor::from_vector<float>({4}, {1, 2, 3, 4}), dir, "w.bin");
  auto* kv = b.proto().mutable_graph()->mutable_initializer(0)->add_external_data();
  kv->set_key("offset");
  kv->set_value("12abc");
  auto g = onnx_io::load_model_file(b.save(dir + "/model.onnx"));
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("offset '12abc' is not an integer"), std::string::npos) << g.status().to_string();
}

// A graph field given twice (protobuf merges them) is a form the scan leaves to protobuf: the model still loads.
TEST(WeightLoading, GraphGivenTwiceIsParsedAsProtobufMergesIt) {
  ModelBuilder b = mixed_model();
  onnx::ModelProto extra;
  std::vector<float> v(2048, 0.5f);
  onnx_io::tensor_to_proto(Tensor::from_vector<float>({2048}, v), "extra", extra.mutable_graph()->add_initializer());
  const std::string bytes = b.bytes() + extra.SerializeAsString();
  EXPECT_FALSE(onnx_io::strip_raw_data(as_span(bytes), onnx_io::kDetachMinBytes).has_value());
  auto g = onnx_io::load_model_bytes(bytes, ".");
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(g->initializers.size(), 3u);
  expect_matches_plain_parse(*g, bytes, "merged graphs");
}

// ---- the plan frees what kernels packed ----

// y = x + w, with w copied ("packed") at creation and never read at run time.
class FakePackKernel final : public cpu::Kernel {
 public:
  explicit FakePackKernel(Tensor packed) : packed_(std::move(packed)) {}
  Status compute(cpu::KernelContext& ctx) const override {
    if (ctx.input(1) != nullptr) return ctx.invalid("the packed input should be passed as nullptr");
    const Tensor* x = ctx.input(0);
    Tensor& y = ctx.allocate_output(0, DType::kFloat32, x->shape());
    for (int64_t i = 0; i < x->numel(); ++i) y.data<float>()[i] = x->data<float>()[i] + packed_.data<float>()[i];
    return ok_status();
  }
  bool packed_constant_input(size_t i) const override { return i == 1; }

 private:
  Tensor packed_;
};

Result<std::unique_ptr<cpu::Kernel>> create_fake_pack(const cpu::KernelInfo& info) {
  const Tensor* w = info.constant_input(1);
  if (!w) return info.invalid("input 1 must be an initializer");
  return std::unique_ptr<cpu::Kernel>(new FakePackKernel(w->clone()));
}

runtime::PlanOptions fake_pack_options() {
  runtime::PlanOptions o;
  o.extra_kernels.push_back({"FakePack", "test.fake", 1, cpu::kMaxOpset, &create_fake_pack});
  return o;
}

ir::Node make_node(const std::string& op, const std::string& domain, std::vector<std::string> inputs,
                   std::vector<std::string> outputs) {
  ir::Node n;
  n.name = op + "_" + outputs[0];
  n.op_type = op;
  n.domain = domain;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  return n;
}

// x -> FakePack(x, w) -> y (graph output), plus what each case adds.
ir::Graph fake_pack_graph() {
  ir::Graph g;
  g.opsets[""] = 17;
  g.opsets["test.fake"] = 1;
  g.inputs.push_back({"x", DType::kFloat32, {Dim{3, ""}}, true});
  g.outputs.push_back({"y", DType::kFloat32, {Dim{3, ""}}, true});
  g.initializers["w"] = Tensor::from_vector<float>({3}, {10, 20, 30});
  g.nodes.push_back(make_node("FakePack", "test.fake", {"x", "w"}, {"y"}));
  return g;
}

bool has_constant(const runtime::ExecutionPlan& plan, const Tensor& t) {
  for (const auto& [slot, c] : plan.constants)
    if (c.raw_data() == t.raw_data()) return true;
  return false;
}

class ListAllocator final : public cpu::OutputAllocator {
 public:
  Tensor allocate(DType dtype, Shape shape) override { return Tensor::empty(dtype, std::move(shape)); }
};

TEST(PlanPackedConstants, PackedOnlyInitializerIsDroppedAndPassedAsNullptr) {
  ir::Graph g = fake_pack_graph();
  const std::weak_ptr<void> w_buffer = g.initializers.at("w").buffer();
  auto plan = runtime::build_execution_plan(std::move(g), fake_pack_options());
  ASSERT_TRUE(plan.ok()) << plan.status().to_string();
  const runtime::ExecutionPlan& p = **plan;
  EXPECT_TRUE(w_buffer.expired()) << "the original weight must be freed once packed";
  EXPECT_FALSE(p.graph.initializers.count("w"));
  EXPECT_TRUE(p.constants.empty());
  ASSERT_EQ(p.steps.size(), 1u);
  EXPECT_EQ(p.steps[0].inputs[1], -1);

  const Tensor x = Tensor::from_vector<float>({3}, {1, 2, 3});
  const Tensor* ins[] = {&x, nullptr};
  Tensor outs[1];
  ListAllocator alloc;
  cpu::KernelContext ctx(p.graph.nodes[0], ins, outs, alloc);
  ASSERT_TRUE(p.steps[0].kernel->compute(ctx).ok());
  EXPECT_EQ(outs[0].data<float>()[2], 33.f);
}

TEST(PlanPackedConstants, KeptWhenAnotherNodeReadsIt) {
  ir::Graph g = fake_pack_graph();
  g.outputs.push_back({"z", DType::kFloat32, {Dim{3, ""}}, true});
  g.nodes.push_back(make_node("Identity", "", {"w"}, {"z"}));
  const Tensor w = g.initializers.at("w");
  auto plan = runtime::build_execution_plan(std::move(g), fake_pack_options());
  ASSERT_TRUE(plan.ok()) << plan.status().to_string();
  const runtime::ExecutionPlan& p = **plan;
  EXPECT_TRUE(p.graph.initializers.count("w"));
  EXPECT_TRUE(has_constant(p, w));
  for (const auto& step : p.steps) {
    const ir::Node& node = p.graph.nodes[step.node_index];
    if (node.op_type == "FakePack")
      EXPECT_EQ(step.inputs[1], -1);  // the packing kernel still gets nullptr
    else
      EXPECT_GE(step.inputs[0], 0);  // Identity reads the slot
  }
}

TEST(PlanPackedConstants, KeptWhenItIsAGraphOutput) {
  ir::Graph g = fake_pack_graph();
  g.outputs.push_back({"w", DType::kFloat32, {Dim{3, ""}}, true});
  const Tensor w = g.initializers.at("w");
  auto plan = runtime::build_execution_plan(std::move(g), fake_pack_options());
  ASSERT_TRUE(plan.ok()) << plan.status().to_string();
  EXPECT_TRUE((*plan)->graph.initializers.count("w"));
  EXPECT_TRUE(has_constant(**plan, w));
}

TEST(PlanPackedConstants, DroppedAfterTheLastOfSeveralPackingReaders) {
  ir::Graph g = fake_pack_graph();
  g.outputs.push_back({"y2", DType::kFloat32, {Dim{3, ""}}, true});
  g.nodes.push_back(make_node("FakePack", "test.fake", {"y", "w"}, {"y2"}));
  const std::weak_ptr<void> w_buffer = g.initializers.at("w").buffer();
  auto plan = runtime::build_execution_plan(std::move(g), fake_pack_options());
  ASSERT_TRUE(plan.ok()) << plan.status().to_string();
  EXPECT_TRUE(w_buffer.expired());
  EXPECT_TRUE((*plan)->constants.empty());
  for (const auto& step : (*plan)->steps) EXPECT_EQ(step.inputs[1], -1);
}

}  // namespace
}  // namespace onyx::test
