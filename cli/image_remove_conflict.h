#pragma once

// Docker's refusal to remove an image that a container uses (moby's
// ImageDelete), decided in the client because containers live in the
// client's store (cli/container/container_store.h).

#include <string>
#include <vector>

namespace strata::cli {

struct ImageUser {
  std::string container_id;  // 64 hex digits
  bool running = false;
};

struct RemovePlan {
  enum class Action {
    kRemove,     // ask the coordinator as usual
    kUntagOnly,  // rmi -f NAME of an image a running container uses: untag, keep the image
    kRefuse,     // print `error`
  };
  Action action = Action::kRemove;
  std::string error;  // Docker's wording, without "Error response from daemon: "
};

// `name` as the user typed it; `image_id` "sha256:<hex>" it resolved to;
// `repo_tags` all the image's tags (familiar); `users` the containers made
// from that image.
//   by reference, not forced, the image's only repository, a container uses it:
//     conflict: unable to remove repository reference "NAME" (must force) -
//     container C is using its referenced image I
//   by reference, forced, the last tag, a running container uses it: untag only
//   by id, a running container uses it (even forced):
//     conflict: unable to delete I (cannot be forced) - image is being used by
//     running container C
//   by id, not forced, a stopped container uses it:
//     conflict: unable to delete I (must be forced) - image is being used by
//     stopped container C
RemovePlan PlanRemove(const std::string& name, const std::string& image_id,
                      const std::vector<std::string>& repo_tags,
                      const std::vector<ImageUser>& users, bool force);

}  // namespace strata::cli
