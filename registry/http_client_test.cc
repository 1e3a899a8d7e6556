#include "registry/http_client.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "registry/testing/test_http_server.h"

namespace strata::registry {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(server_.port(), 0);
    std::string base = std::filesystem::temp_directory_path() / "strata-http-test-XXXXXX";
    dir_ = ::mkdtemp(base.data());
    dest_ = dir_ + "/body";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  TestHttpServer server_;
  std::unique_ptr<HttpClient> client_ = NewHttpClient();
  std::string dir_;
  std::string dest_;
};

TEST_F(HttpClientTest, FetchWritesTheBodyWithItsDigestAndLastModified) {
  server_.Set("/app.tar",
              {200, "OK", "hello world\n", {{"Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"}}});
  Result<HttpFile> file = client_->Fetch(server_.Url("/app.tar?x=1"), dest_);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(ReadFile(dest_), "hello world\n");
  EXPECT_EQ(file->size, 12u);
  EXPECT_EQ(file->sha256, Digest::Sha256Of("hello world\n"));
  EXPECT_EQ(file->status, 200);
  EXPECT_EQ(file->last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(file->path, dest_);
}

TEST_F(HttpClientTest, RedirectIsFollowed) {
  server_.Set("/old", {301, "Moved Permanently", "", {{"Location", "/new"}}});
  server_.Set("/new", {200, "OK", "moved", {}});
  Result<HttpFile> file = client_->Fetch(server_.Url("/old"), dest_);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(ReadFile(dest_), "moved");
  EXPECT_EQ(file->effective_url, server_.Url("/new"));
  EXPECT_TRUE(file->last_modified.empty());
}

TEST_F(HttpClientTest, ErrorStatusSaysWhichAndLeavesNoFile) {
  Result<HttpFile> file = client_->Fetch(server_.Url("/missing"), dest_);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(file.status().message(), server_.Url("/missing") + ": HTTP 404 Not Found");
  EXPECT_FALSE(std::filesystem::exists(dest_));

  server_.Set("/busy", {503, "Service Unavailable", "try later", {}});
  file = client_->Fetch(server_.Url("/busy"), dest_);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(file.status().retryable());
}

TEST_F(HttpClientTest, RefusesOtherSchemesAndReportsConnectionFailures) {
  Result<HttpFile> file = client_->Fetch("file:///etc/passwd", dest_);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kInvalidArgument);

  // A port nothing listens on: bind one and close it again.
  std::string url;
  {
    TestHttpServer gone;
    url = gone.Url("/x");
  }
  file = client_->Fetch(url, dest_);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kUnavailable) << file.status().ToString();
  EXPECT_EQ(file.status().message().rfind(url + ": ", 0), 0u) << file.status().ToString();
}

TEST(HttpReasonPhraseTest, KnownAndUnknown) {
  EXPECT_EQ(HttpReasonPhrase(404), "Not Found");
  EXPECT_EQ(HttpReasonPhrase(599), "");
}

}  // namespace
}  // namespace strata::registry
