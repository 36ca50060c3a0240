// Pass manager and model saver: levels, pass selection errors, save -> load round trip of an edited graph.
#include <gtest/gtest.h>

#include "src/onnx/model_loader.h"
#include "src/onnx/model_saver.h"
#include "src/opt/graph_editor.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

std::string relu_add_model() {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2, 3});
  m.output("y", DType::kFloat32, {2, 3});
  m.node("Relu", {"x"}, {"r"});
  m.node("Add", {"r", "x"}, {"y"});
  return m.bytes();
}

TEST(PassManager, UnknownPassNameIsAnErrorListingThePasses) {
  auto g = onnx_io::load_model_bytes(relu_add_model(), ".");
  ASSERT_TRUE(g.ok());
  opt::OptimizeOptions o;
  o.disabled_passes = {"NoSuchPass"};
  auto r = opt::optimize(*g, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("NoSuchPass"), std::string::npos);
  EXPECT_NE(r.status().message().find("ConstantFolding"), std::string::npos);
}

TEST(PassManager, LevelFromIntRejectsUnknownLevels) {
  EXPECT_TRUE(opt::level_from_int(0).ok());
  EXPECT_EQ(*opt::level_from_int(99), opt::Level::kExtended);
  EXPECT_FALSE(opt::level_from_int(5).ok());
  EXPECT_FALSE(opt::level_from_int(-1).ok());
}

TEST(PassManager, EveryPassHasAUniqueName) {
  auto names = opt::pass_names();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

TEST(GraphEditor, EditsApplyAtCommitAndTheSavedGraphRunsTheSame) {
  // Replace Relu(x) + x by Relu(x) + x computed through a renamed value and an added Identity: outputs unchanged.
  const std::string bytes = relu_add_model();
  PassResult r;
  auto g = onnx_io::load_model_bytes(bytes, ".");
  ASSERT_TRUE(g.ok());
  r.graph = std::move(g).value();
  opt::GraphEditor e(r.graph);
  const ir::Node* add = e.producer("y");
  ASSERT_NE(add, nullptr);
  auto path = e.match_parents(*add, {{"Relu", 0}});
  ASSERT_EQ(path.size(), 1u);
  EXPECT_TRUE(e.match_parents(*add, {{"Relu", 1}}).empty());
  EXPECT_TRUE(e.only_used_inside({path[0], add}, {"y"}));
  EXPECT_FALSE(e.only_used_inside({path[0]}, {}));
  const std::string copy = e.unique_name("r");
  EXPECT_NE(copy, "r");
  e.add(opt::make_node("Identity", "", {"r"}, {copy}));
  e.rename_uses("r", copy);  // Add now reads the Identity's output
  EXPECT_EQ(e.commit(), 1);
  EXPECT_EQ(count_ops(r.graph, "Identity"), 1);
  // The Identity itself must still read "r" (a rename applies to consumers that existed before the commit).
  opt::GraphEditor after(r.graph);
  EXPECT_EQ(after.producer("y")->inputs[0], copy);
  expect_same_outputs(bytes, r, {{"x", random_floats({2, 3}, 1)}}, 0.0);
}

}  // namespace
}  // namespace onyx::test
