// Session behaviour: repeated runs with new shapes, concurrent runs, no memory growth after warm-up.
#include <gtest/gtest.h>

#include <thread>

#include "onyx/session.h"
#include "src/core/buffer_pool.h"
#include "tests/unit/model_builder.h"

namespace onyx::test {
namespace {

// y = Identity(Identity(x)) through a chain, so intermediate buffers come and go.
std::unique_ptr<Session> chain_session(int length, SessionOptions options = {}) {
  ModelBuilder b;
  b.input("x", DType::kFloat32, {-1, -1}, {"batch", "sequence"}).output("y", DType::kFloat32, {-1, -1}, {"batch", "sequence"});
  std::string prev = "x";
  for (int i = 0; i < length; ++i) {
    const std::string next = i + 1 == length ? "y" : "t" + std::to_string(i);
    b.node("Identity", {prev}, {next});
    prev = next;
  }
  auto s = Session::create_from_bytes(b.bytes(), options);
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return std::move(s).value();
}

Tensor iota(Shape shape, float start) {
  Tensor t = Tensor::empty(DType::kFloat32, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = start + static_cast<float>(i);
  return t;
}

TEST(Session, RepeatedRunsWithDifferentShapes) {
  auto session = chain_session(5);
  for (Shape shape : {Shape{1, 7}, Shape{3, 12}, Shape{2, 128}, Shape{1, 1}}) {
    auto out = session->run({{"x", iota(shape, 1)}});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    const Tensor& y = (*out)[0].second;
    ASSERT_EQ(y.shape(), shape);
    EXPECT_EQ(y.data<float>()[y.numel() - 1], static_cast<float>(y.numel()));
  }
}

TEST(Session, ConcurrentRunsOnOneSession) {
  auto session = chain_session(8);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const Shape shape{1 + (t + i) % 3, 5 + i % 11};
        auto out = session->run({{"x", iota(shape, static_cast<float>(t * 1000 + i))}});
        if (!out.ok() || (*out)[0].second.shape() != shape ||
            (*out)[0].second.data<float>()[0] != static_cast<float>(t * 1000 + i))
          ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(Session, ProfileCountsEveryNodeOfEveryRun) {
  EXPECT_TRUE(chain_session(3)->profile().empty());  // off by default
  SessionOptions options;
  options.profile = true;
  options.optimization_level = 0;  // keep the Identity nodes
  auto session = chain_session(3, options);
  ASSERT_EQ(session->profile().size(), 3u);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(session->run({{"x", iota({2, 64}, 0)}}).ok());
  for (const NodeProfile& p : session->profile()) {
    EXPECT_EQ(p.op_type, "Identity");
    EXPECT_FALSE(p.node.empty());
    EXPECT_EQ(p.calls, 4);
    EXPECT_GE(p.total_ms, 0.0);
  }
  session->reset_profile();
  for (const NodeProfile& p : session->profile()) EXPECT_EQ(p.calls, 0);
  ASSERT_TRUE(session->run({{"x", iota({1, 3}, 0)}}).ok());
  EXPECT_EQ(session->profile()[2].calls, 1);
}

TEST(BufferPool, NoGrowthAfterWarmup) {
  auto pool = BufferPool::create();
  auto one_run = [&] {
    std::vector<Tensor> live;
    for (int i = 0; i < 20; ++i) {
      live.push_back(pool->allocate(DType::kFloat32, {3, 100 + i}));
      if (live.size() > 3) live.erase(live.begin());  // released after the last consumer
    }
  };
  one_run();
  const size_t bytes = pool->bytes_reserved();
  for (int r = 0; r < 50; ++r) one_run();
  EXPECT_EQ(pool->bytes_reserved(), bytes);
}

}  // namespace
}  // namespace onyx::test
