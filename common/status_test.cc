#include "common/status.h"

#include <gtest/gtest.h>

#include <optional>

#include "common/result.h"

namespace strata {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd number " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status Check(bool fail) {
  TRY(fail ? Status::NotFound("missing") : Status::OK());
  return Status::OK();
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CodesMessagesAndRetryable) {
  Status s = Status::NotFound("image foo");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.ToString(), "NotFound: image foo");
  EXPECT_FALSE(s.retryable());
  EXPECT_TRUE(Status::Unavailable("worker gone").retryable());
  EXPECT_EQ(s.Annotate("inspect").message(), "inspect: image foo");
}

TEST(StatusTest, TryReturnsEarly) {
  EXPECT_TRUE(Check(false).ok());
  EXPECT_TRUE(Check(true).IsNotFound());
}

TEST(ResultTest, ValueOrStatus) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd number 3");
}

TEST(ResultTest, AbsentIsNotFailure) {
  Result<std::optional<int>> none = std::optional<int>();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace strata
