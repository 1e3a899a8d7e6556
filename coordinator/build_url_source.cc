#include "coordinator/build_url_source.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace strata::coordinator {
namespace {

constexpr char kUrlDir[] = ".strata-url/";
constexpr uint32_t kUrlMode = 0600;

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return a == std::tolower(static_cast<unsigned char>(b));
         });
}

// Removes a file when it goes out of scope.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

bool IsUrlSource(std::string_view source) {
  return StartsWithIgnoreCase(source, "http://") || StartsWithIgnoreCase(source, "https://");
}

std::string UrlBasename(std::string_view url) {
  size_t scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("?#"));
  size_t slash = rest.find('/');
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  std::string_view base = path.substr(path.rfind('/') + 1);
  if (base.empty() || base == "." || base == "..") return "download";
  return std::string(base);
}

Result<cache::InputEntry> UrlFetcher::Fetch(const std::string& url, const std::string& checksum) {
  std::string where = "ADD " + url;
  std::optional<Digest> expected;
  if (!checksum.empty()) {
    Result<Digest> parsed = Digest::Parse(checksum);
    if (!parsed.ok() || parsed->algorithm() != "sha256") {
      return Status::InvalidArgument(where + ": invalid checksum " + checksum +
                                     " (want sha256:<64 hex digits>)");
    }
    expected = *parsed;
  }
  std::string pattern = tmp_dir_ + "/strata-url-XXXXXX";
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) return Status::IOError(where + ": cannot create a temporary file in " + tmp_dir_);
  ::close(fd);
  TempFile file(pattern);

  Result<registry::HttpFile> got = http_.Fetch(url, file.path());
  if (!got.ok()) {
    // The client's messages start with the URL already.
    return Status(got.status().code(), "ADD " + got.status().message())
        .WithRetryable(got.status().retryable());
  }
  if (expected && *expected != got->sha256) {
    return Status::InvalidArgument(where + ": checksum mismatch: expected " + expected->ToString() +
                                   " got " + got->sha256.ToString());
  }
  Result<Digest> stored = blobs_.PutFile(file.path(), got->sha256);
  if (!stored.ok()) return stored.status().Annotate(where + ": storing the download");

  cache::InputEntry entry;
  entry.path = kUrlDir + Digest::Sha256Of(url).hex() + "/" + UrlBasename(url);
  entry.type = cache::InputType::kRegular;
  entry.mode = kUrlMode;
  entry.size = got->size;
  entry.content = *stored;
  return entry;
}

Result<std::vector<cache::InputEntry>> UrlContextSource::Select(
    const std::vector<std::string>& patterns, const std::vector<std::string>& excludes) {
  std::vector<cache::InputEntry> out;
  std::vector<std::string> rest;
  for (const std::string& p : patterns) {
    auto it = urls_.find(p);
    if (it == urls_.end()) {
      it = std::find_if(urls_.begin(), urls_.end(),
                        [&](const auto& kv) { return kv.second.path == p; });
    }
    if (it != urls_.end()) {
      out.push_back(it->second);
    } else {
      rest.push_back(p);
    }
  }
  if (!rest.empty()) {
    if (inner_ == nullptr) return Status::Internal("no build context to select " + rest.front());
    ASSIGN_OR_RETURN(std::vector<cache::InputEntry> more, inner_->Select(rest, excludes));
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

Status CheckAddChecksum(const dockerfile::BuildStep& step) {
  const auto* add = step.command.As<dockerfile::AddCommand>();
  if (add == nullptr || add->checksum.empty()) return Status::OK();
  if (add->sources.size() + add->contents.size() != 1) {
    return Status::InvalidArgument("checksum can't be specified for multiple sources");
  }
  if (add->sources.empty() || !IsUrlSource(add->sources.front())) {
    return Status::InvalidArgument("checksum requires HTTP(S) or Git sources");
  }
  return Status::OK();
}

dockerfile::BuildStep RewriteUrlSources(const dockerfile::BuildStep& step,
                                        const std::map<std::string, cache::InputEntry>& urls) {
  dockerfile::BuildStep out = step;
  auto* add = out.command.As<dockerfile::AddCommand>();
  if (add == nullptr) return out;
  bool any = false;
  for (std::string& source : add->sources) {
    if (auto it = urls.find(source); it != urls.end()) {
      source = it->second.path;
      any = true;
    }
  }
  if (any && !add->unpack) add->unpack = false;
  return out;
}

}  // namespace strata::coordinator
