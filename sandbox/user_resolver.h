#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace strata::sandbox {

struct ResolvedUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> additional_gids;  // supplementary groups, file order
};

// Resolves a Dockerfile USER value "user[:group]" (names or numbers)
// through the rootfs's /etc/passwd and /etc/group, as Docker does:
//  - empty: root (0:0);
//  - a numeric user passes through; its gid is its passwd entry's when it
//    has one, else 0;
//  - a user name must be in /etc/passwd, else InvalidArgument
//    "unable to find user X: no matching entries in passwd file";
//  - an explicit group (number, or name found in /etc/group, else
//    "unable to find group X: no matching entries in group file") replaces
//    the primary gid and suppresses supplementary groups;
//  - otherwise the supplementary groups are the /etc/group entries that
//    list the user's name as a member.
// The files are opened inside `rootfs` (symlinks resolved in it, never
// escaping it); a missing file counts as empty.
Result<ResolvedUser> ResolveUser(const std::string& rootfs, const std::string& user_spec);

// The owner a file operation gives what it creates: `COPY/ADD --chown=SPEC`
// and the directory of a WORKDIR under `USER SPEC`. BuildKit resolves these
// differently from a process's user (ResolveUser), and never fails:
//  - the user part: "root" or a number N is uid N with gid N; a name is
//    its /etc/passwd uid and primary gid; an empty or unknown name is 0:0;
//  - a group part (after ':'): "root" or a number replaces the gid; a name
//    found in /etc/group replaces it, an unknown one leaves it; an empty
//    group ("user:") is gid 0.
// Only an unreadable file (not a missing one) is an error.
Result<std::pair<uid_t, gid_t>> ResolveFileOwner(const std::string& rootfs,
                                                 const std::string& spec);

}  // namespace strata::sandbox
