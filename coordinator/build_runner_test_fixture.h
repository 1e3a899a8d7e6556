#pragma once

// The fixture of the BuildRunner tests: a MemoryBlobStore-backed store, the
// fake step runner, a context served from a map, a loopback-capable URL
// fetcher, and events recorded.

#include <gtest/gtest.h>

#include <map>

#include "cache/memory_blob_store.h"
#include "cache/test_util.h"
#include "coordinator/build_fake_step_runner.h"
#include "coordinator/build_image_assembler.h"
#include "coordinator/build_runner.h"
#include "coordinator/build_url_source.h"
#include "coordinator/image_resolver.h"
#include "image/image_config.h"
#include "registry/http_client.h"

namespace strata::coordinator {

// Context files by path; a pattern selects a path, everything under it, or "." all.
class MapContext : public ContextSource {
 public:
  void Put(const std::string& path, const std::string& content) {
    files_[path] = {path,           cache::InputType::kRegular, 0644,
                    content.size(), Digest::Sha256Of(content),  ""};
  }
  Result<std::vector<cache::InputEntry>> Select(const std::vector<std::string>& patterns,
                                                const std::vector<std::string>&) override {
    std::vector<cache::InputEntry> out;
    for (const std::string& p : patterns) {
      bool any = false;
      for (const auto& [path, e] : files_) {
        if (p == "." || path == p || path.rfind(p + "/", 0) == 0) {
          out.push_back(e);
          any = true;
        }
      }
      if (!any) return Status::NotFound("\"/" + p + "\": not found");
    }
    return out;
  }

 private:
  std::map<std::string, cache::InputEntry> files_;
};

class RecordingSink : public EventSink {
 public:
  void OnEvent(const BuildEvent& e) override { events.push_back(e); }
  int Count(BuildEvent::Kind kind) const {
    int n = 0;
    for (const auto& e : events) n += e.kind == kind;
    return n;
  }
  std::vector<BuildEvent> events;
};

class BuildRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto meta = cache::MetadataStore::Open(dir_.path() + "/db");
    ASSERT_OK(meta);
    store_ = std::make_unique<cache::Store>(std::make_unique<cache::MemoryBlobStore>(),
                                            std::move(*meta));
    fake_ = std::make_unique<FakeStepRunner>(store_->blobs());
    urls_ = std::make_unique<UrlFetcher>(*http_, store_->blobs(), dir_.path());
    context_.Put("app/main.c", "int main() {}");
    context_.Put("app/util.c", "void util() {}");
    context_.Put("README", "hello");
  }

  Result<BuildResult> Build(const std::string& dockerfile, BuildOptions options = {},
                            std::map<std::string, std::string> args = {}, std::string target = "") {
    dockerfile::PlanOptions plan_options;
    plan_options.build_args = std::move(args);
    plan_options.target = std::move(target);
    ASSIGN_OR_RETURN(dockerfile::BuildPlan plan,
                     dockerfile::ParseAndPlan(dockerfile, plan_options));
    fake_->Reset();
    sink_ = RecordingSink();
    clock_.Advance(1'000'000'000);
    BuildRunner runner(*store_, step_runner_ ? *step_runner_ : *fake_, clock_, urls_.get());
    return runner.Build(plan, &context_, options, &sink_);
  }

  // Tags the image of `dockerfile` as `tag`, with its config's OnBuild
  // replaced by `triggers` (what no Dockerfile could write).
  void TagImageWithTriggers(const std::string& tag, std::vector<std::string> triggers) {
    Result<BuildResult> base = Build("FROM scratch\nCOPY README /README\n");
    ASSERT_OK(base);
    ImageParts parts;
    parts.config = ConfigOf(*base);
    parts.config.config.on_build = std::move(triggers);
    parts.layers = base->image.layers;
    parts.created_unix_nanos = base->image.created_unix_nanos;
    parts.platform = "linux/amd64";
    ASSERT_OK(AssembleImage(*store_, parts, {tag}));
  }

  image::ImageConfig ConfigOf(const BuildResult& r) {
    Result<std::string> json = store_->blobs().ReadAll(r.image.config_digest);
    EXPECT_TRUE(json.ok());
    Result<image::ImageConfig> config = image::ImageConfig::FromJson(*json);
    EXPECT_TRUE(config.ok());
    return *config;
  }

  // Indices (0-based, over all steps) that ran in the last build.
  static std::vector<int> Ran(const BuildResult& r) {
    std::vector<int> ran;
    for (size_t i = 0; i < r.steps.size(); ++i) {
      if (r.steps[i].ran) ran.push_back(static_cast<int>(i));
    }
    return ran;
  }

  cache::TempDir dir_;
  std::unique_ptr<cache::Store> store_;
  std::unique_ptr<FakeStepRunner> fake_;
  StepRunner* step_runner_ = nullptr;  // instead of fake_ when set
  std::unique_ptr<registry::HttpClient> http_ = registry::NewHttpClient();
  std::unique_ptr<UrlFetcher> urls_;
  MapContext context_;
  RecordingSink sink_;
  FakeClock clock_{1'700'000'000'000'000'000};
};

}  // namespace strata::coordinator
