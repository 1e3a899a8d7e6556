#include "registry/credential_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/file_util.h"
#include "registry/base64.h"

namespace strata::registry {
namespace {

bool IsDockerHub(const std::string& host) {
  return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io";
}


// The file's text; nullopt when it does not exist.
Result<std::optional<std::string>> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Status::IOError(path + ": cannot read: " + std::strerror(errno));
  }
  std::ostringstream s;
  s << in.rdbuf();
  return std::optional<std::string>(s.str());
}

Result<nlohmann::json> ReadJson(const std::string& path) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, ReadFile(path));
  if (!text || text->find_first_not_of(" \t\r\n") == std::string::npos) {
    return nlohmann::json::object();
  }
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, false);
  if (!doc.is_object()) {
    return Status::InvalidArgument(path +
                                   ": not a JSON object; fix it or remove it (and log in again)");
  }
  return doc;
}

// The credentials of `host` in a document's "auths".
Result<std::optional<Credentials>> Lookup(const nlohmann::json& doc, const std::string& path,
                                          const std::string& host) {
  auto auths = doc.find("auths");
  if (auths == doc.end() || !auths->is_object()) return std::optional<Credentials>();
  std::string want = RegistryHostOf(host);
  for (auto it = auths->begin(); it != auths->end(); ++it) {
    if (RegistryHostOf(it.key()) != want || !it->is_object()) continue;
    auto auth = it->find("auth");
    if (auth == it->end() || !auth->is_string() || auth->get<std::string>().empty()) continue;
    std::optional<std::string> plain = Base64Decode(auth->get<std::string>());
    size_t colon = plain ? plain->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      return Status::InvalidArgument(path + ": the \"auth\" of " + it.key() +
                                     " is not base64 of user:password; log in again");
    }
    return std::optional<Credentials>(
        Credentials{plain->substr(0, colon), plain->substr(colon + 1)});
  }
  return std::optional<Credentials>();
}

// Writes `text` to `path` through a 0600 temporary file renamed over it.
Status WriteAtomically(const std::string& path, const std::string& text) {
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) TRY(MakeDirs(path.substr(0, slash), 0700));
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::IOError(tmp + ": cannot create: " + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0;
  size_t done = 0;
  while (ok && done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      ok = false;
    else
      done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Status::IOError(path + ": cannot write: " + why);
  }
  return Status::OK();
}

class FileCredentialStore : public CredentialStore {
 public:
  explicit FileCredentialStore(CredentialFiles files) : files_(std::move(files)) {}

  Result<std::optional<Credentials>> Get(const std::string& host) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(nlohmann::json own, ReadJson(files_.strata_path));
    ASSIGN_OR_RETURN(std::optional<Credentials> found, Lookup(own, files_.strata_path, host));
    if (found || files_.docker_config_path.empty()) return found;
    ASSIGN_OR_RETURN(nlohmann::json docker, ReadJson(files_.docker_config_path));
    return Lookup(docker, files_.docker_config_path, host);
  }

  Status Put(const std::string& host, const Credentials& credentials) override {
    if (credentials.username.find(':') != std::string::npos) {
      return Status::InvalidArgument("a user name cannot contain ':'");
    }
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(nlohmann::json doc, ReadJson(files_.strata_path));
    EraseKeys(&doc, host);
    doc["version"] = 1;
    doc["auths"][CredentialKey(host)] = {
        {"auth", Base64Encode(credentials.username + ":" + credentials.password)}};
    return WriteAtomically(files_.strata_path, doc.dump(2) + "\n");
  }

  Status Erase(const std::string& host) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(nlohmann::json doc, ReadJson(files_.strata_path));
    if (!EraseKeys(&doc, host)) {
      return Status::NotFound("not logged in to " +
                              (IsDockerHub(host) ? std::string("docker.io") : host));
    }
    doc["version"] = 1;
    return WriteAtomically(files_.strata_path, doc.dump(2) + "\n");
  }

 private:
  // Removes every key naming host; whether one was there.
  static bool EraseKeys(nlohmann::json* doc, const std::string& host) {
    auto auths = doc->find("auths");
    if (auths == doc->end() || !auths->is_object()) return false;
    std::string want = RegistryHostOf(host);
    std::vector<std::string> keys;
    for (auto it = auths->begin(); it != auths->end(); ++it) {
      if (RegistryHostOf(it.key()) == want) keys.push_back(it.key());
    }
    for (const std::string& k : keys) auths->erase(k);
    return !keys.empty();
  }

  CredentialFiles files_;
  std::mutex mu_;
};

}  // namespace

std::string RegistryHostOf(const std::string& server) {
  std::string host = server;
  for (const char* scheme : {"http://", "https://"}) {
    if (host.rfind(scheme, 0) == 0) host = host.substr(std::strlen(scheme));
  }
  if (size_t slash = host.find('/'); slash != std::string::npos) host.resize(slash);
  if (IsDockerHub(host)) return "docker.io";
  return host;
}

std::string CredentialKey(const std::string& host) {
  std::string name = RegistryHostOf(host);
  return name == "docker.io" ? "https://index.docker.io/v1/" : name;
}

CredentialFiles DefaultCredentialFiles(const std::string& state_root) {
  CredentialFiles files;
  if (const char* env = std::getenv("STRATA_AUTH_FILE"); env != nullptr && *env != '\0') {
    files.strata_path = env;
  } else {
    files.strata_path = state_root + "/auth.json";
  }
  if (const char* dc = std::getenv("DOCKER_CONFIG"); dc != nullptr && *dc != '\0') {
    files.docker_config_path = std::string(dc) + "/config.json";
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    files.docker_config_path = std::string(home) + "/.docker/config.json";
  }
  return files;
}

std::shared_ptr<CredentialStore> NewFileCredentialStore(CredentialFiles files) {
  return std::make_shared<FileCredentialStore>(std::move(files));
}

}  // namespace strata::registry
