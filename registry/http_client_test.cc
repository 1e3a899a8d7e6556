#include "registry/http_client.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
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

TEST_F(HttpClientTest, SendCarriesMethodHeadersAndAFileRangeBody) {
  server_.SetHandler([](const TestHttpServer::Request& r) -> TestHttpServer::Response {
    return {201,
            "Created",
            r.method + "|" + r.headers.at("x-test") + "|" + r.body,
            {{"Location", "/next"}}};
  });
  std::ofstream(dir_ + "/src", std::ios::binary) << "0123456789";
  HttpRequest request;
  request.method = "PATCH";
  request.url = server_.Url("/up");
  request.headers = {"X-Test: yes"};
  request.body_file = dir_ + "/src";
  request.body_file_offset = 3;
  request.body_file_length = 4;
  uint64_t sent = 0;
  request.progress = [&](uint64_t s, uint64_t) { sent = std::max(sent, s); };
  Result<HttpResponse> r = client_->Send(request);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->reason, "Created");
  EXPECT_EQ(r->body, "PATCH|yes|3456");
  EXPECT_EQ(r->Header("LOCATION"), "/next");
  EXPECT_EQ(sent, 4u);
  TestHttpServer::Request seen = server_.Log().back();
  EXPECT_EQ(seen.headers.at("content-length"), "4");
  EXPECT_EQ(seen.headers.count("expect"), 0u);

  request = HttpRequest();
  request.method = "POST";
  request.url = server_.Url("/empty");
  request.headers = {"X-Test: p"};
  r = client_->Send(request);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "POST|p|");
}

TEST_F(HttpClientTest, SendResumesAFileWithRangeAndRewritesOnAFullAnswer) {
  const std::string whole = "abcdefghij";
  bool honour_range = true;
  server_.SetHandler([&](const TestHttpServer::Request& r) -> TestHttpServer::Response {
    auto range = r.headers.find("range");
    if (honour_range && range != r.headers.end() && range->second == "bytes=4-") {
      return {206, "Partial Content", whole.substr(4), {{"Content-Range", "bytes 4-9/10"}}};
    }
    return {200, "OK", whole, {}};
  });
  std::ofstream(dest_, std::ios::binary) << "abcd";
  std::string observed;
  HttpRequest request;
  request.url = server_.Url("/blob");
  request.response_file = dest_;
  request.resume_from = 4;
  request.on_file_bytes = [&](std::string_view b) { observed += b; };
  Result<HttpResponse> r = client_->Send(request);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 206);
  EXPECT_TRUE(r->resumed);
  EXPECT_EQ(r->file_bytes, 6u);
  EXPECT_EQ(observed, "efghij");
  EXPECT_EQ(ReadFile(dest_), whole);

  // A server that ignores Range: the file is rewritten, not appended to.
  honour_range = false;
  std::ofstream(dest_, std::ios::binary | std::ios::trunc) << "abcd";
  r = client_->Send(request);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->resumed);
  EXPECT_EQ(ReadFile(dest_), whole);
}

TEST_F(HttpClientTest, SendStopsABodyLongerThanTheFileMayHold) {
  server_.Set("/big", {200, "OK", std::string(5000, 'x'), {}});
  HttpRequest request;
  request.url = server_.Url("/big");
  request.response_file = dest_;
  request.max_file_size = 1000;
  Result<HttpResponse> r = client_->Send(request);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            server_.Url("/big") + ": the body is longer than the 1000 bytes expected");
  EXPECT_LE(std::filesystem::file_size(dest_), 1000u);
}

TEST_F(HttpClientTest, SendKeepsErrorBodiesOutOfTheFile) {
  server_.Set("/blob", {404, "Not Found", R"({"errors":[{"code":"BLOB_UNKNOWN"}]})", {}});
  std::ofstream(dest_, std::ios::binary) << "partial";
  HttpRequest request;
  request.url = server_.Url("/blob");
  request.response_file = dest_;
  request.resume_from = 7;
  Result<HttpResponse> r = client_->Send(request);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, R"({"errors":[{"code":"BLOB_UNKNOWN"}]})");
  EXPECT_EQ(ReadFile(dest_), "partial");
}

TEST_F(HttpClientTest, TlsFailureIsNotRetryableAndCarriesTheHint) {
  // TLS spoken to a plain-HTTP server: the handshake fails.
  HttpRequest request;
  request.url = "https://127.0.0.1:" + std::to_string(server_.port()) + "/v2/";
  request.tls_hint = "(the hint)";
  Result<HttpResponse> r = client_->Send(request);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_FALSE(r.status().retryable()) << r.status().ToString();
  EXPECT_EQ(r.status().message().rfind(request.url + ": ", 0), 0u) << r.status().ToString();
  EXPECT_NE(r.status().message().find("(the hint)"), std::string::npos) << r.status().ToString();
}

TEST(HttpReasonPhraseTest, KnownAndUnknown) {
  EXPECT_EQ(HttpReasonPhrase(404), "Not Found");
  EXPECT_EQ(HttpReasonPhrase(599), "");
}

}  // namespace
}  // namespace strata::registry
