// Initializers in every storage form load to the same values; opsets, symbolic dims and value_info survive.
#include <gtest/gtest.h>

#include "onyx/session.h"
#include "src/onnx/model_loader.h"
#include "tests/unit/model_builder.h"

namespace onyx::test {
namespace {

TEST(Loader, TypedFieldRawAndExternalInitializersAgree) {
  const std::string dir = temp_dir("storage");
  ModelBuilder b;
  const std::vector<float> values = {1.5f, -2.f, 3.25f, 0.f, 7.f, -8.5f};
  b.output("raw", DType::kFloat32, {2, 3}).output("typed", DType::kFloat32, {2, 3}).output("ext", DType::kFloat32, {2, 3});
  b.output("i64", DType::kInt64, {3}).output("f16", DType::kFloat16, {2}).output("flag", DType::kBool, {2});
  b.initializer("raw", Tensor::from_vector<float>({2, 3}, values));
  auto* typed = b.proto().mutable_graph()->add_initializer();
  typed->set_name("typed");
  typed->set_data_type(onnx::TensorProto::FLOAT);
  typed->add_dims(2);
  typed->add_dims(3);
  for (float v : values) typed->add_float_data(v);
  b.external_initializer("ext", Tensor::from_vector<float>({2, 3}, values), dir, "ext.bin");
  auto* i64 = b.proto().mutable_graph()->add_initializer();
  i64->set_name("i64");
  i64->set_data_type(onnx::TensorProto::INT64);
  i64->add_dims(3);
  for (int64_t v : {int64_t{-1}, int64_t{0}, int64_t{1} << 40}) i64->add_int64_data(v);
  auto* f16 = b.proto().mutable_graph()->add_initializer();
  f16->set_name("f16");
  f16->set_data_type(onnx::TensorProto::FLOAT16);
  f16->add_dims(2);
  f16->add_int32_data(0x3c00);  // 1.0
  f16->add_int32_data(0xc000);  // -2.0
  auto* flag = b.proto().mutable_graph()->add_initializer();
  flag->set_name("flag");
  flag->set_data_type(onnx::TensorProto::BOOL);
  flag->add_dims(2);
  flag->add_int32_data(1);
  flag->add_int32_data(0);
  const std::string path = b.save(dir + "/model.onnx");

  auto session = Session::create(path);
  ASSERT_TRUE(session.ok()) << session.status().to_string();
  auto out = (*session)->run({});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  ASSERT_EQ(out->size(), 6u);
  for (int k = 0; k < 3; ++k) {
    const Tensor& t = (*out)[k].second;
    ASSERT_EQ(t.shape(), (Shape{2, 3}));
    for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(t.data<float>()[i], values[i]) << (*out)[k].first;
  }
  EXPECT_EQ((*out)[3].second.data<int64_t>()[2], 1ll << 40);
  EXPECT_EQ((*out)[4].second.data<Float16>()[1].bits, 0xc000);
  EXPECT_TRUE((*out)[5].second.data<bool>()[0]);
  EXPECT_FALSE((*out)[5].second.data<bool>()[1]);
}

TEST(Loader, OpsetsSymbolicDimsAndContribDomain) {
  ModelBuilder b(14);
  b.opset("com.microsoft", 1).opset("ai.onnx", 14);
  b.input("input_ids", DType::kInt64, {-1, -1}, {"batch_size", "sequence_length"});
  b.output("y", DType::kInt64, {-1, -1}, {"batch_size", "sequence_length"});
  b.node("Identity", {"input_ids"}, {"y"});
  auto g = onnx_io::load_model_bytes(b.bytes(), ".");
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(g->opset(""), 14);
  EXPECT_EQ(g->opset("com.microsoft"), 1);
  ASSERT_EQ(g->inputs.size(), 1u);
  EXPECT_EQ(g->inputs[0].to_string(), "input_ids: int64 [batch_size, sequence_length]");
}

TEST(Loader, InitializerListedAsInputIsAConstant) {
  ModelBuilder b;
  b.input("w", DType::kFloat32, {2}).output("y", DType::kFloat32, {2});
  b.initializer("w", Tensor::from_vector<float>({2}, {4, 5}));
  b.node("Identity", {"w"}, {"y"});
  auto session = Session::create_from_bytes(b.bytes());
  ASSERT_TRUE(session.ok()) << session.status().to_string();
  EXPECT_TRUE((*session)->inputs().empty());
  auto out = (*session)->run({});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].second.data<float>()[1], 5.f);
}

}  // namespace
}  // namespace onyx::test
