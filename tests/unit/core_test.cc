// Core utilities: half/bfloat16 conversion, .npy round trip, Status/Result.
#include <gtest/gtest.h>

#include <cmath>

#include "src/core/half.h"
#include "src/core/npy.h"
#include "tests/unit/model_builder.h"

namespace onyx::test {
namespace {

TEST(Half, RoundTripsEveryFloat16) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const Float16 h{static_cast<uint16_t>(bits)};
    const float f = to_float(h);
    if (std::isnan(f)) continue;
    EXPECT_EQ(to_float16(f).bits, h.bits) << bits;
  }
}

TEST(Half, RoundsToNearestEven) {
  EXPECT_EQ(to_float16(1.0f + 1.0f / 2048).bits, 0x3c00);       // halfway: down to even
  EXPECT_EQ(to_float16(1.0f + 3.0f / 2048).bits, 0x3c02);       // halfway: up to even
  EXPECT_EQ(to_float16(65520.f).bits, 0x7c00);                  // overflow -> inf
  EXPECT_EQ(to_bfloat16(1.0f + 1.0f / 256).bits, 0x3f80);       // halfway: even
  EXPECT_FLOAT_EQ(to_float(to_bfloat16(3.140625f)), 3.140625f);
}

TEST(Npy, RoundTrip) {
  const std::string path = temp_dir("npy") + "/t.npy";
  Tensor t = Tensor::from_vector<int64_t>({2, 3}, {1, -2, 3, 4, 5, 1ll << 50});
  ASSERT_TRUE(write_npy(path, t).ok());
  auto r = read_npy(path);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->shape(), t.shape());
  EXPECT_EQ(r->dtype(), DType::kInt64);
  EXPECT_EQ(r->data<int64_t>()[5], 1ll << 50);
  Tensor s = Tensor::from_vector<float>({}, {2.5f});
  ASSERT_TRUE(write_npy(path, s).ok());
  auto rs = read_npy(path);
  ASSERT_TRUE(rs.ok());
  EXPECT_EQ(rs->rank(), 0u);
  EXPECT_EQ(rs->data<float>()[0], 2.5f);
}

TEST(Npy, BadFilesGiveErrors) {
  EXPECT_EQ(parse_npy("hello", "x").status().code(), StatusCode::kInvalidArgument);
  std::string header = "\x93NUMPY\x01";
  header += '\0';
  EXPECT_FALSE(parse_npy(header + "\x40", "x").ok());
  EXPECT_EQ(read_npy("/nonexistent.npy").status().code(), StatusCode::kNotFound);
}

TEST(StatusResult, CarriesValueOrError) {
  Result<int> ok = 3;
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 3);
  Result<int> err = invalid_argument("bad thing");
  EXPECT_FALSE(err.ok());
  EXPECT_EQ(err.status().to_string(), "InvalidArgument: bad thing");
  EXPECT_EQ(err.status().with_context("input 'x'").message(), "input 'x': bad thing");
}

}  // namespace
}  // namespace onyx::test
