#include "cli/image_remove_conflict.h"

#include <set>

namespace strata::cli {
namespace {

std::string Hex(const std::string& id) {
  return id.compare(0, 7, "sha256:") == 0 ? id.substr(7) : id;
}

std::string ShortImage(const std::string& id) { return Hex(id).substr(0, 12); }

// moby's isImageIDPrefix: the name is (a prefix of) the id, with or without
// "sha256:".
bool IsIdPrefix(const std::string& image_id, const std::string& name) {
  return !name.empty() &&
         (image_id.compare(0, name.size(), name) == 0 || Hex(image_id).compare(0, name.size(), name) == 0);
}

// moby's isSingleReference: every reference is in one repository.
bool SingleRepository(const std::vector<std::string>& tags) {
  std::set<std::string> repos;
  for (const auto& t : tags) {
    size_t slash = t.rfind('/');
    size_t colon = t.rfind(':');
    repos.insert(colon != std::string::npos && (slash == std::string::npos || colon > slash)
                     ? t.substr(0, colon)
                     : t);
  }
  return repos.size() <= 1;
}

const ImageUser* First(const std::vector<ImageUser>& users, bool running) {
  for (const auto& u : users) {
    if (u.running == running) return &u;
  }
  return nullptr;
}

}  // namespace

RemovePlan PlanRemove(const std::string& name, const std::string& image_id,
                      const std::vector<std::string>& repo_tags,
                      const std::vector<ImageUser>& users, bool force) {
  RemovePlan plan;
  if (users.empty()) return plan;
  const ImageUser* running = First(users, true);
  const ImageUser* stopped = First(users, false);
  if (!IsIdPrefix(image_id, name)) {
    if (!force && SingleRepository(repo_tags)) {
      plan.action = RemovePlan::Action::kRefuse;
      plan.error = "conflict: unable to remove repository reference \"" + name +
                   "\" (must force) - container " + users.front().container_id.substr(0, 12) +
                   " is using its referenced image " + ShortImage(image_id);
    } else if (force && repo_tags.size() <= 1 && running != nullptr) {
      plan.action = RemovePlan::Action::kUntagOnly;
    }
    return plan;
  }
  if (running != nullptr) {
    plan.action = RemovePlan::Action::kRefuse;
    plan.error = "conflict: unable to delete " + ShortImage(image_id) +
                 " (cannot be forced) - image is being used by running container " +
                 running->container_id.substr(0, 12);
  } else if (!force && stopped != nullptr && SingleRepository(repo_tags)) {
    plan.action = RemovePlan::Action::kRefuse;
    plan.error = "conflict: unable to delete " + ShortImage(image_id) +
                 " (must be forced) - image is being used by stopped container " +
                 stopped->container_id.substr(0, 12);
  }
  return plan;
}

}  // namespace strata::cli
