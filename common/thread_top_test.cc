#include "common/thread_top.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "common/result.h"

namespace strata {
namespace {

TEST(CatchAtThreadTopTest, NormalReturnIsOk) {
  int runs = 0;
  EXPECT_TRUE(CatchAtThreadTop("task", [&] { ++runs; }).ok());
  EXPECT_EQ(runs, 1);
}

TEST(CatchAtThreadTopTest, AnExceptionBecomesAnInternalStatus) {
  Status s = CatchAtThreadTop("build b1", [] { throw std::out_of_range("stoi"); });
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("build b1 failed unexpectedly: stoi"), std::string::npos);
  EXPECT_FALSE(CatchAtThreadTop("x", [] { throw 42; }).ok());
}

TEST(CatchAtThreadTopTest, OnAThreadTheProcessSurvives) {
  Status seen;
  std::thread t([&] { seen = CatchAtThreadTop("job", [] { throw std::runtime_error("boom"); }); });
  t.join();
  EXPECT_NE(seen.message().find("boom"), std::string::npos);
}

TEST(CatchAtThreadTopTest, ResultBodiesKeepTheirOwnErrors) {
  Result<int> ok = CatchAtThreadTopOr<Result<int>>("r", [] { return Result<int>(7); });
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 7);
  Result<int> own =
      CatchAtThreadTopOr<Result<int>>("r", [] { return Result<int>(Status::NotFound("n")); });
  EXPECT_EQ(own.status().code(), StatusCode::kNotFound);
  Result<int> thrown =
      CatchAtThreadTopOr<Result<int>>("r", []() -> Result<int> { throw std::logic_error("bad"); });
  EXPECT_EQ(thrown.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace strata
