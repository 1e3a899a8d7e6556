#include "coordinator/build_url_source.h"

#include <gtest/gtest.h>

#include "cache/memory_blob_store.h"
#include "cache/test_util.h"
#include "registry/testing/test_http_server.h"

namespace strata::coordinator {
namespace {

dockerfile::BuildStep Step(const std::string& dockerfile) {
  Result<dockerfile::BuildPlan> plan = dockerfile::ParseAndPlan(dockerfile, {});
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan->stages.back().steps.back();
}

TEST(UrlSourceTest, UrlsAndBasenames) {
  EXPECT_TRUE(IsUrlSource("https://example.com/a.tgz"));
  EXPECT_TRUE(IsUrlSource("HTTP://example.com/"));
  EXPECT_FALSE(IsUrlSource("git@github.com:a/b.git"));
  EXPECT_FALSE(IsUrlSource("src/http://x"));
  EXPECT_EQ(UrlBasename("https://example.com/dl/a.tgz?sig=1#frag"), "a.tgz");
  EXPECT_EQ(UrlBasename("https://example.com/dl/"), "dl");
  EXPECT_EQ(UrlBasename("https://example.com"), "download");
  EXPECT_EQ(UrlBasename("https://example.com/"), "download");
}

// An ADD step with these sources and --checksum, as no plan would make it.
dockerfile::BuildStep AddStep(std::vector<std::string> sources, std::string checksum) {
  dockerfile::BuildStep step = Step("FROM scratch\nADD https://h/f /d/\n");
  auto* add = step.command.As<dockerfile::AddCommand>();
  add->sources = std::move(sources);
  add->checksum = std::move(checksum);
  return step;
}

TEST(UrlSourceTest, ChecksumRulesOfBuildKit) {
  EXPECT_OK(CheckAddChecksum(AddStep({"https://h/f"}, "sha256:00")));
  EXPECT_OK(CheckAddChecksum(AddStep({"a"}, "")));
  EXPECT_EQ(CheckAddChecksum(AddStep({"a"}, "sha256:00")).message(),
            "checksum requires HTTP(S) or Git sources");
  EXPECT_EQ(CheckAddChecksum(AddStep({"https://h/a", "https://h/b"}, "sha256:00")).message(),
            "checksum can't be specified for multiple sources");
}

TEST(UrlSourceTest, RewriteReplacesUrlSourcesAndNeverUnpacksThem) {
  dockerfile::BuildStep step = Step("FROM scratch\nADD https://h/app.tar local.tar /d/\n");
  cache::InputEntry entry;
  entry.path = ".strata-url/abc/app.tar";
  dockerfile::BuildStep out = RewriteUrlSources(step, {{"https://h/app.tar", entry}});
  const auto* add = out.command.As<dockerfile::AddCommand>();
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->sources, (std::vector<std::string>{".strata-url/abc/app.tar", "local.tar"}));
  EXPECT_EQ(add->unpack, std::optional<bool>(false));

  dockerfile::BuildStep explicit_unpack =
      RewriteUrlSources(Step("FROM scratch\nADD --unpack=true https://h/app.tar /d/\n"),
                        {{"https://h/app.tar", entry}});
  EXPECT_EQ(explicit_unpack.command.As<dockerfile::AddCommand>()->unpack,
            std::optional<bool>(true));
}

class UrlFetcherTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(server_.port(), 0); }

  registry::TestHttpServer server_;
  cache::TempDir dir_;
  cache::MemoryBlobStore blobs_;
  std::unique_ptr<registry::HttpClient> http_ = registry::NewHttpClient();
  UrlFetcher fetcher_{*http_, blobs_, dir_.path()};
};

TEST_F(UrlFetcherTest, StoresTheDownloadAsABlobAndDescribesIt) {
  server_.Set("/tool.sh", {200, "OK", "#!/bin/sh\necho hi\n", {}});
  const Digest content = Digest::Sha256Of("#!/bin/sh\necho hi\n");
  Result<cache::InputEntry> entry = fetcher_.Fetch(server_.Url("/tool.sh"), content.ToString());
  ASSERT_OK(entry);
  EXPECT_EQ(entry->path,
            ".strata-url/" + Digest::Sha256Of(server_.Url("/tool.sh")).hex() + "/tool.sh");
  EXPECT_EQ(entry->mode, 0600u);
  EXPECT_EQ(entry->size, 18u);
  EXPECT_EQ(entry->content, content);
  Result<std::string> stored = blobs_.ReadAll(content);
  ASSERT_OK(stored);
  EXPECT_EQ(*stored, "#!/bin/sh\necho hi\n");
}

TEST_F(UrlFetcherTest, ChecksumMismatchAndHttpErrorsSayWhat) {
  server_.Set("/f", {200, "OK", "data", {}});
  const std::string wrong = Digest::Sha256Of("other").ToString();
  Result<cache::InputEntry> entry = fetcher_.Fetch(server_.Url("/f"), wrong);
  ASSERT_FALSE(entry.ok());
  EXPECT_EQ(entry.status().message(), "ADD " + server_.Url("/f") +
                                          ": checksum mismatch: expected " + wrong + " got " +
                                          Digest::Sha256Of("data").ToString());
  Result<bool> has = blobs_.Has(Digest::Sha256Of("data"));
  ASSERT_OK(has);
  EXPECT_FALSE(*has);  // nothing stored for a file that failed its checksum

  entry = fetcher_.Fetch(server_.Url("/gone"), "");
  ASSERT_FALSE(entry.ok());
  EXPECT_EQ(entry.status().message(), "ADD " + server_.Url("/gone") + ": HTTP 404 Not Found");
  EXPECT_EQ(entry.status().code(), StatusCode::kNotFound);

  entry = fetcher_.Fetch(server_.Url("/f"), "md5:abc");
  ASSERT_FALSE(entry.ok());
  EXPECT_EQ(entry.status().code(), StatusCode::kInvalidArgument);
}

class MapOnlyContext : public ContextSource {
 public:
  Result<std::vector<cache::InputEntry>> Select(const std::vector<std::string>& patterns,
                                                const std::vector<std::string>&) override {
    std::vector<cache::InputEntry> out;
    for (const std::string& p : patterns)
      out.push_back({p, cache::InputType::kRegular, 0644, 0, {}, ""});
    return out;
  }
};

TEST(UrlContextSourceTest, AnswersUrlsAndTheirPathsAndForwardsTheRest) {
  MapOnlyContext inner;
  UrlContextSource context(&inner);
  cache::InputEntry url_entry{".strata-url/h/f", cache::InputType::kRegular, 0600, 4, {}, ""};
  context.Add("https://x/f", url_entry);
  Result<std::vector<cache::InputEntry>> by_url = context.Select({"https://x/f", "local"}, {});
  ASSERT_OK(by_url);
  ASSERT_EQ(by_url->size(), 2u);
  EXPECT_EQ((*by_url)[0], url_entry);
  EXPECT_EQ((*by_url)[1].path, "local");
  Result<std::vector<cache::InputEntry>> by_path = context.Select({".strata-url/h/f"}, {});
  ASSERT_OK(by_path);
  ASSERT_EQ(by_path->size(), 1u);
  EXPECT_EQ((*by_path)[0], url_entry);
}

}  // namespace
}  // namespace strata::coordinator
