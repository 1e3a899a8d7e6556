#include "coordinator/build_request.h"

#include <algorithm>
#include <cctype>

#include "common/ascii.h"
#include "coordinator/image_resolver.h"
#include "image/image_config.h"
#include "image/reference.h"

namespace strata::coordinator {
namespace {

// Passes the request's labels on once BuildOptions has a `labels` map.
template <typename Options>
void SetLabels(const v1::SubmitBuild& request, Options& options) {
  if constexpr (requires { options.labels[std::string()] = std::string(); }) {
    for (const auto& [k, v] : request.labels()) options.labels[k] = v;
  }
}

}  // namespace

dockerfile::PlanOptions PlanOptionsOf(const v1::SubmitBuild& request, cache::Store& store) {
  dockerfile::PlanOptions plan_options;
  plan_options.filename =
      request.dockerfile_name().empty() ? "Dockerfile" : request.dockerfile_name();
  plan_options.build_args = {request.build_args().begin(), request.build_args().end()};
  plan_options.target = request.target();
  if (!request.platform().empty()) plan_options.target_platform = request.platform();
  plan_options.base_image = [&store](const std::string& name) {
    return BaseImageScopeOf(store, name);
  };
  return plan_options;
}

Result<BuildOptions> BuildOptionsOf(const v1::SubmitBuild& request) {
  BuildOptions options;
  options.no_cache = request.no_cache();
  options.cache_share = request.cache_share();
  for (const std::string& stage : request.no_cache_filter()) {
    options.no_cache_filter.insert(AsciiLower(stage));
  }
  options.cache_debug = request.cache_debug();
  for (const std::string& tag : request.tags()) {
    Result<image::Reference> ref = image::ParseReference(tag);
    if (!ref.ok()) return ref.status().Annotate("tag '" + tag + "'");
    options.tags.push_back(ref->String());
  }
  if (request.has_source_date_epoch()) options.source_date_epoch = request.source_date_epoch();
  SetLabels(request, options);
  return options;
}

std::optional<dockerfile::BaseImageScope> BaseImageScopeOf(cache::Store& store,
                                                           const std::string& name) {
  Result<ResolvedImage> image = ResolveImage(store.metadata(), name);
  if (!image.ok()) return std::nullopt;  // the runner reports the unknown image with its line
  Result<std::string> json = store.blobs().ReadAll(image->record.config_digest);
  if (!json.ok()) return std::nullopt;
  Result<image::ImageConfig> config = image::ImageConfig::FromJson(*json);
  if (!config.ok()) return std::nullopt;
  dockerfile::BaseImageScope scope;
  scope.env = config->config.env;
  scope.workdir = config->config.working_dir;
  if (config->config.shell) scope.shell = *config->config.shell;
  return scope;
}

void FillBuildResult(const BuildResult& result, const v1::SubmitBuild& request,
                     v1::BuildResult* out) {
  out->set_image_id(result.image.id.ToString());
  out->set_manifest_digest(result.image.manifest_digest.ToString());
  for (const std::string& tag : request.tags()) out->add_tags(tag);
  out->set_steps_cached(result.cached_steps);
  out->set_steps_run(result.ran_steps);
}

}  // namespace strata::coordinator
