#pragma once

// Runs a build plan against the store: computes each step's cache key,
// serves cached steps from the store, runs the others through a StepRunner,
// records each result in the cache as soon as its step finishes, and
// assembles the target stage into an image (docs/build-cache.md).
//
// Needed stages run in parallel as soon as the stages they depend on (base
// stage, COPY --from) are built, one thread per stage; results, reports and
// step numbers are those of the sequential order, and the first failure
// stops the build. A stage built FROM an image runs the image's ONBUILD
// triggers first. ADD of an http(s) URL downloads through a UrlFetcher.
//
// Thread-safe: Build may be called concurrently (the protocol side runs one
// per build thread). Identical in-flight steps (same namespace, key and
// cache mode) of all builds on one runner are coalesced: one runs, the
// others wait and take its entry as a cache hit.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cache/store.h"
#include "common/clock.h"
#include "common/result.h"
#include "coordinator/build_step_key.h"
#include "coordinator/build_step_runner.h"
#include "coordinator/step_coalescer.h"
#include "dockerfile/plan.h"

namespace strata::registry {
class HttpClient;
}

namespace strata::coordinator {

class UrlFetcher;

struct BuildOptions {
  std::string ns = "default";                 // reads ns + shared entries, writes ns
  bool no_cache = false;                      // run every step, overwrite the entries
  // Entries this build writes, and its own entries it hits, become shared
  // (readable by every namespace): `build --cache-share`.
  bool cache_share = false;
  std::set<std::string> no_cache_filter;      // stage names (lower-case) run without cache
  bool cache_debug = false;                   // fill StepReport::preimage
  std::vector<std::string> tags;              // normalised references
  std::optional<int64_t> source_date_epoch;   // seconds
  std::map<std::string, std::string> labels;  // --label: set on the final image's config
};

// What happened to one step (FROM lines are not steps).
struct StepReport {
  std::string stage;
  int line = 0;
  std::string text;
  Digest key;
  bool cached = false;   // served from the cache (or from a coalesced twin)
  bool ran = false;      // went through the StepRunner
  std::string preimage;  // CacheKeyBuilder::Preimage(), with cache_debug
};

struct BuildResult {
  cache::ImageRecord image;
  std::vector<StepReport> steps;  // needed stages in order, then their steps
  int cached_steps = 0;
  int ran_steps = 0;
};

class BuildRunner {
 public:
  // REQUIRES: store, runner and clock outlive the runner; `urls`, when
  // given, too. Without `urls` the runner downloads ADD's URL sources with
  // its own libcurl client into the system temporary directory.
  BuildRunner(cache::Store& store, StepRunner& runner, Clock& clock, UrlFetcher* urls = nullptr);
  ~BuildRunner();

  // Builds plan.target for the build `scope` is of. `context` serves
  // COPY/ADD sources (may be null when no step reads the context). A
  // failed step fails the build with "FILE:LINE: message" and stops its
  // other stages' jobs; steps finished before it stay cached and no tag
  // moves. scope.events() is called from several threads, one call at a
  // time. A cancelled scope stops the build: no new step starts, running
  // jobs are stopped, the build fails with the scope's reason.
  Result<BuildResult> Build(const dockerfile::BuildPlan& plan, ContextSource* context,
                            const BuildOptions& options, BuildScope& scope);
  // A build without a client (tools, tests): id "build", no uploads.
  Result<BuildResult> Build(const dockerfile::BuildPlan& plan, ContextSource* context,
                            const BuildOptions& options, EventSink* events);

  // Callers waiting for an identical in-flight step (for tests and metrics).
  int CoalescedWaiters() const { return coalescer_.waiting(); }

 private:
  UrlFetcher& Urls();

  cache::Store& store_;
  StepRunner& runner_;
  Clock& clock_;
  UrlFetcher* urls_;
  StepCoalescer coalescer_;
  std::once_flag own_urls_once_;
  std::unique_ptr<registry::HttpClient> own_http_;
  std::unique_ptr<UrlFetcher> own_urls_;
};

}  // namespace strata::coordinator
