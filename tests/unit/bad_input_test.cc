// Every user mistake gives one clear error naming the file/node/input and what was expected; none crashes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "onyx/session.h"
#include "tests/unit/model_builder.h"

namespace onyx::test {
namespace {

namespace fs = std::filesystem;

// A valid model: y = Identity(x), x: float32 [batch, 4].
ModelBuilder identity_model() {
  ModelBuilder b;
  b.input("x", DType::kFloat32, {-1, 4}, {"batch"}).output("y", DType::kFloat32, {-1, 4}, {"batch"});
  b.node("Identity", {"x"}, {"y"});
  return b;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Asserts the error code and that the message contains every fragment.
void expect_error(const Status& s, StatusCode code, const std::vector<std::string>& fragments) {
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), code) << s.to_string();
  for (const auto& f : fragments) EXPECT_NE(s.message().find(f), std::string::npos) << "'" << f << "' not in: " << s.message();
}

TEST(BadModelFile, MissingFile) {
  auto s = Session::create("/nonexistent/dir/model.onnx");
  expect_error(s.status(), StatusCode::kNotFound, {"/nonexistent/dir/model.onnx", "does not exist"});
}

TEST(BadModelFile, EmptyFile) {
  const std::string path = temp_dir("empty") + "/model.onnx";
  write_file(path, "");
  expect_error(Session::create(path).status(), StatusCode::kInvalidModel, {path, "empty"});
}

TEST(BadModelFile, TruncatedFile) {
  const std::string dir = temp_dir("trunc");
  ModelBuilder b = identity_model();
  b.initializer("w", Tensor::from_vector<float>({64}, std::vector<float>(64, 1.f)));
  const std::string full = b.bytes();
  for (size_t cut : {full.size() / 2, full.size() - 3, size_t{7}}) {
    const std::string path = dir + "/cut" + std::to_string(cut) + ".onnx";
    write_file(path, full.substr(0, cut));
    expect_error(Session::create(path).status(), StatusCode::kInvalidModel, {path});
  }
}

TEST(BadModelFile, NotOnnxFile) {
  const std::string path = temp_dir("text") + "/model.onnx";
  write_file(path, "this is a README, not a model\n");
  expect_error(Session::create(path).status(), StatusCode::kInvalidModel, {path, "not"});
}

TEST(BadModelFile, RandomBytesNeverCrash) {
  const std::string good = identity_model().bytes();
  for (unsigned seed = 0; seed < 300; ++seed) {
    std::string bytes = good;
    std::srand(seed);
    for (int k = 0; k < 4; ++k) bytes[std::rand() % bytes.size()] = static_cast<char>(std::rand());
    auto s = Session::create_from_bytes(bytes);  // may succeed (a harmless flip) or fail; must not crash
    if (s.ok()) {
      auto out = (*s)->run({{"x", Tensor::from_vector<float>({1, 4}, {1, 2, 3, 4})}});
      (void)out;
    }
  }
}

TEST(BadModelFile, Directory) {
  const std::string dir = temp_dir("dir");
  expect_error(Session::create(dir).status(), StatusCode::kInvalidArgument, {dir, "directory"});
}

TEST(BadModel, MissingInitializer) {
  ModelBuilder b;
  b.input("x", DType::kFloat32, {2}).output("y", DType::kFloat32, {2});
  b.node("Identity", {"weight_that_is_not_there"}, {"y"});
  auto s = Session::create_from_bytes(b.bytes(), {.run_onnx_checker = false});
  expect_error(s.status(), StatusCode::kInvalidModel, {"weight_that_is_not_there", "Identity"});
}

TEST(BadModel, CheckerRejectsDanglingValue) {
  ModelBuilder b;
  b.input("x", DType::kFloat32, {2}).output("y", DType::kFloat32, {2});
  b.node("Identity", {"nowhere"}, {"y"});
  auto s = Session::create_from_bytes(b.bytes());
  expect_error(s.status(), StatusCode::kInvalidModel, {"checker"});
}

TEST(BadModel, UnsupportedOpIsNamed) {
  ModelBuilder b;
  b.opset("com.example", 1);
  b.input("x", DType::kFloat32, {2}).output("y", DType::kFloat32, {2});
  b.node("FancyOp", {"x"}, {"y"}, "com.example");
  auto s = Session::create_from_bytes(b.bytes());
  expect_error(s.status(), StatusCode::kNotImplemented, {"com.example.FancyOp", "no CPU kernel", "FancyOp_1"});
}

TEST(BadModel, SubgraphOpsReportedAsSuch) {
  ModelBuilder b;
  b.input("c", DType::kBool, {}).output("y", DType::kFloat32, {1});
  auto& n = b.node("If", {"c"}, {"y"});
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* a = n.add_attribute();
    a->set_name(branch);
    a->set_type(onnx::AttributeProto::GRAPH);
    auto* g = a->mutable_g();
    g->set_name(branch);
    auto* out = g->add_output();
    out->set_name(std::string(branch) + "_out");
    out->mutable_type()->mutable_tensor_type()->set_elem_type(1);
    auto* c = g->add_node();
    c->set_op_type("Constant");
    c->add_output(std::string(branch) + "_out");
    auto* v = c->add_attribute();
    v->set_name("value_floats");
    v->set_type(onnx::AttributeProto::FLOATS);
    v->add_floats(1.f);
  }
  auto s = Session::create_from_bytes(b.bytes());
  expect_error(s.status(), StatusCode::kNotImplemented, {"If", "subgraphs"});
}

TEST(BadModel, MissingExternalDataFile) {
  const std::string dir = temp_dir("ext_missing");
  ModelBuilder b;
  b.output("w", DType::kFloat32, {4});
  b.external_initializer("w", Tensor::from_vector<float>({4}, {1, 2, 3, 4}), dir, "weights.bin");
  const std::string path = b.save(dir + "/model.onnx");
  fs::remove(dir + "/weights.bin");
  expect_error(Session::create(path).status(), StatusCode::kNotFound, {"weights.bin", "initializer 'w'"});
}

TEST(BadModel, ExternalDataOutsideModelFolder) {
  const std::string dir = temp_dir("ext_escape");
  ModelBuilder b;
  b.output("w", DType::kFloat32, {4});
  b.external_initializer("w", Tensor::from_vector<float>({4}, {1, 2, 3, 4}), dir, "weights.bin");
  b.proto().mutable_graph()->mutable_initializer(0)->mutable_external_data(0)->set_value("../../etc/passwd");
  const std::string path = b.save(dir + "/model.onnx");
  expect_error(Session::create(path, {.run_onnx_checker = false}).status(), StatusCode::kInvalidModel,
               {"../../etc/passwd", "relative path inside"});
}

TEST(BadModel, ExternalDataTooShort) {
  const std::string dir = temp_dir("ext_short");
  ModelBuilder b;
  b.output("w", DType::kFloat32, {4});
  b.external_initializer("w", Tensor::from_vector<float>({4}, {1, 2, 3, 4}), dir, "weights.bin");
  const std::string path = b.save(dir + "/model.onnx");
  fs::resize_file(dir + "/weights.bin", 6);
  expect_error(Session::create(path).status(), StatusCode::kInvalidModel, {"too short", "weights.bin"});
}

TEST(BadModel, RawDataSizeMismatch) {
  ModelBuilder b;
  b.output("w", DType::kFloat32, {4});
  b.initializer("w", Tensor::from_vector<float>({4}, {1, 2, 3, 4}));
  b.proto().mutable_graph()->mutable_initializer(0)->mutable_raw_data()->resize(5);
  expect_error(Session::create_from_bytes(b.bytes(), {.run_onnx_checker = false}).status(), StatusCode::kInvalidModel,
               {"initializer 'w'", "raw_data has 5 bytes"});
}

class BadRunInput : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Session::create_from_bytes(identity_model().bytes());
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    session_ = std::move(s).value();
  }
  Status run(const NamedTensors& inputs) { return session_->run(inputs).status(); }
  std::unique_ptr<Session> session_;
};

TEST_F(BadRunInput, MissingInput) {
  expect_error(run({}), StatusCode::kInvalidArgument, {"missing input 'x'", "float32 [batch, 4]"});
}

TEST_F(BadRunInput, ExtraInput) {
  expect_error(run({{"x", Tensor::from_vector<float>({1, 4}, {1, 2, 3, 4})}, {"z", Tensor::from_vector<float>({1}, {1})}}),
               StatusCode::kInvalidArgument, {"unknown input 'z'", "'x'"});
}

TEST_F(BadRunInput, DuplicateInput) {
  auto x = Tensor::from_vector<float>({1, 4}, {1, 2, 3, 4});
  expect_error(run({{"x", x}, {"x", x}}), StatusCode::kInvalidArgument, {"given twice"});
}

TEST_F(BadRunInput, WrongDtype) {
  expect_error(run({{"x", Tensor::from_vector<int64_t>({1, 4}, {1, 2, 3, 4})}}), StatusCode::kInvalidArgument,
               {"input 'x'", "expected dtype float32", "got int64"});
}

TEST_F(BadRunInput, WrongRank) {
  expect_error(run({{"x", Tensor::from_vector<float>({4}, {1, 2, 3, 4})}}), StatusCode::kInvalidArgument,
               {"input 'x'", "expected rank 2", "[4]"});
}

TEST_F(BadRunInput, WrongFixedDim) {
  expect_error(run({{"x", Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6})}}), StatusCode::kInvalidArgument,
               {"input 'x'", "dimension 1 must be 4", "[2, 3]"});
}

TEST_F(BadRunInput, UndefinedTensor) {
  expect_error(run({{"x", Tensor()}}), StatusCode::kInvalidArgument, {"input 'x'"});
}

TEST(BadRunInputSymbols, InconsistentSymbolicDims) {
  ModelBuilder b;
  b.input("a", DType::kFloat32, {-1, -1}, {"batch", "sequence"}).input("m", DType::kFloat32, {-1, -1}, {"batch", "sequence"});
  b.output("y", DType::kFloat32, {-1, -1}, {"batch", "sequence"});
  b.node("Identity", {"a"}, {"y"});
  auto s = Session::create_from_bytes(b.bytes());
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  auto r = (*s)->run({{"a", Tensor::from_vector<float>({1, 3}, {1, 2, 3})}, {"m", Tensor::from_vector<float>({1, 2}, {1, 2})}});
  expect_error(r.status(), StatusCode::kInvalidArgument, {"'sequence'", "input 'a'", "input 'm'"});
}

TEST(BadRunOutput, UnknownOutputName) {
  auto s = Session::create_from_bytes(identity_model().bytes());
  ASSERT_TRUE(s.ok());
  const std::vector<std::string> names = {"nope"};
  auto r = (*s)->run({{"x", Tensor::from_vector<float>({1, 4}, {1, 2, 3, 4})}}, names);
  expect_error(r.status(), StatusCode::kInvalidArgument, {"unknown output 'nope'", "'y'"});
}

}  // namespace
}  // namespace onyx::test
