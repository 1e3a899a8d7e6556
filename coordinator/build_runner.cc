#include "coordinator/build_runner.h"

#include <filesystem>

#include "coordinator/build_url_source.h"
#include "coordinator/plan_run.h"
#include "registry/http_client.h"

namespace strata::coordinator {

BuildRunner::BuildRunner(cache::Store& store, StepRunner& runner, Clock& clock, UrlFetcher* urls)
    : store_(store), runner_(runner), clock_(clock), urls_(urls) {}

BuildRunner::~BuildRunner() = default;

UrlFetcher& BuildRunner::Urls() {
  if (urls_ != nullptr) return *urls_;
  std::call_once(own_urls_once_, [this] {
    own_http_ = registry::NewHttpClient();
    own_urls_ = std::make_unique<UrlFetcher>(*own_http_, store_.blobs(),
                                             std::filesystem::temp_directory_path().string());
  });
  return *own_urls_;
}

Result<BuildResult> BuildRunner::Build(const dockerfile::BuildPlan& plan, ContextSource* context,
                                       const BuildOptions& options, BuildScope& scope) {
  return PlanRun(
             store_, runner_, clock_, coalescer_, [this]() -> UrlFetcher& { return Urls(); }, plan,
             context, options, scope)
      .Run();
}

Result<BuildResult> BuildRunner::Build(const dockerfile::BuildPlan& plan, ContextSource* context,
                                       const BuildOptions& options, EventSink* events) {
  BuildScope scope("build", events, nullptr);
  return Build(plan, context, options, scope);
}

}  // namespace strata::coordinator
