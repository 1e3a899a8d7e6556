#include "cli/host_tokens.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <nlohmann/json.hpp>

#include "common/file_util.h"
#include "common/private_dir.h"

namespace strata::cli {
namespace {

std::string PathOf(const std::string& root) { return root + "/hosts.json"; }

Result<nlohmann::json> ReadAll(const std::string& root) {
  const std::string path = PathOf(root);
  if (::access(path.c_str(), F_OK) != 0) return nlohmann::json::object();
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  nlohmann::json all = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!all.is_object()) {
    return Status::InvalidArgument(path +
                                   " is not a JSON object of saved tokens; remove it and run "
                                   "'strata --host HOST login --token TOKEN' again");
  }
  return all;
}

Status WriteAll(const std::string& root, const nlohmann::json& all) {
  TRY(EnsurePrivateDir(root).Annotate("state directory (set --root or STRATA_ROOT)"));
  const std::string path = PathOf(root);
  const std::string tmp = path + ".tmp";
  TRY(WriteFile(tmp, all.dump(2) + "\n", 0600));
  if (::chmod(tmp.c_str(), 0600) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    Status failed = Status::IOError("cannot write " + path + ": " + std::strerror(errno));
    ::unlink(tmp.c_str());
    return failed;
  }
  return Status::OK();
}

}  // namespace

Result<std::optional<std::string>> SavedToken(const std::string& root, const std::string& host) {
  ASSIGN_OR_RETURN(nlohmann::json all, ReadAll(root));
  auto it = all.find(host);
  if (it == all.end() || !it->is_object()) return std::optional<std::string>();
  auto token = it->find("token");
  if (token == it->end() || !token->is_string()) return std::optional<std::string>();
  return std::optional<std::string>(token->get<std::string>());
}

Status SaveToken(const std::string& root, const std::string& host, const std::string& token) {
  ASSIGN_OR_RETURN(nlohmann::json all, ReadAll(root));
  all[host] = nlohmann::json{{"token", token}};
  return WriteAll(root, all);
}

Result<bool> ForgetToken(const std::string& root, const std::string& host) {
  ASSIGN_OR_RETURN(nlohmann::json all, ReadAll(root));
  if (all.erase(host) == 0) return false;
  TRY(WriteAll(root, all));
  return true;
}

}  // namespace strata::cli
