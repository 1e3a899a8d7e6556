#pragma once

// ADD of an http(s) URL (docs/build-cache.md "ADD of a URL"). The
// coordinator downloads the file into the store as a blob; from then on it
// is treated as a context file: the step's key gets an input entry for it
// (its content digest, so a changed remote file misses and an unchanged one
// hits) and the job the worker sees is rewritten so that the URL source
// reads `.strata-url/<sha256 of the URL>/<basename>`, an entry of
// StepJob::inputs fetched by digest like any context file. Mode 0600 as
// Docker gives it; the remote mtime is not carried (it would break
// reproducible layers). ADD never unpacks a URL source unless
// --unpack=true is written.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cache/blob_store.h"
#include "cache/context_inputs.h"
#include "common/result.h"
#include "coordinator/build_step_key.h"
#include "dockerfile/plan.h"
#include "registry/http_client.h"

namespace strata::coordinator {

// "http://..." or "https://..." (case-insensitive scheme), as BuildKit's
// isHTTPSource.
bool IsUrlSource(std::string_view source);

// The file name a URL source gets: the last element of its path, or
// "download" when the path has none (BuildKit).
std::string UrlBasename(std::string_view url);

// Downloads URL sources into a BlobStore. Thread-safe (downloads run in
// parallel; each uses its own temporary file).
class UrlFetcher {
 public:
  // REQUIRES: `http` and `blobs` outlive the fetcher; `tmp_dir` exists.
  UrlFetcher(registry::HttpClient& http, cache::BlobStore& blobs, std::string tmp_dir)
      : http_(http), blobs_(blobs), tmp_dir_(std::move(tmp_dir)) {}

  // Downloads `url`, checks it against `checksum` ("" or "sha256:<hex>"),
  // stores it as a blob (digest verified on commit) and returns the context
  // entry standing for it. Errors read "ADD <url>: HTTP 404 Not Found",
  // "ADD <url>: checksum mismatch: expected sha256:... got sha256:...".
  Result<cache::InputEntry> Fetch(const std::string& url, const std::string& checksum);

 private:
  registry::HttpClient& http_;
  cache::BlobStore& blobs_;
  std::string tmp_dir_;
};

// A ContextSource that answers the URL sources of ADD steps (and the
// `.strata-url/...` paths they are rewritten to) from fetched entries, and
// forwards every other pattern to `inner` (which may be null when nothing
// else is selected). Not thread-safe: one per step.
class UrlContextSource : public ContextSource {
 public:
  explicit UrlContextSource(ContextSource* inner) : inner_(inner) {}

  void Add(const std::string& url, cache::InputEntry entry) { urls_[url] = std::move(entry); }

  Result<std::vector<cache::InputEntry>> Select(const std::vector<std::string>& patterns,
                                                const std::vector<std::string>& excludes) override;

 private:
  ContextSource* inner_;
  std::map<std::string, cache::InputEntry> urls_;
};

// BuildKit's checks of ADD --checksum: one source, and an http(s) one.
// InvalidArgument "checksum can't be specified for multiple sources" /
// "checksum requires HTTP(S) or Git sources" (BuildKit's current wording,
// which the planner already reports; Git sources are not supported); OK
// for any other step.
Status CheckAddChecksum(const dockerfile::BuildStep& step);

// `step` (an ADD) with each URL source replaced by its entry's path in
// `urls`, and unpack set to false unless --unpack was written.
dockerfile::BuildStep RewriteUrlSources(const dockerfile::BuildStep& step,
                                        const std::map<std::string, cache::InputEntry>& urls);

}  // namespace strata::coordinator
