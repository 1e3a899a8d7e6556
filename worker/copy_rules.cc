#include "worker/copy_rules.h"

#include "sandbox/user_resolver.h"

namespace strata::worker {

Result<uint32_t> ParseChmod(const std::string& chmod) {
  uint32_t mode = 0;
  bool ok = !chmod.empty() && chmod.size() <= 5;
  for (char c : chmod) {
    if (c < '0' || c > '7') ok = false;
    mode = mode * 8 + static_cast<uint32_t>(c - '0');
  }
  if (!ok || mode > 07777) {
    return Status::InvalidArgument("invalid --chmod=" + chmod +
                                   ": expected an octal mode such as 755 or 0644");
  }
  return mode;
}

Result<sandbox::WriteRules> CopyWriteRules(const CopyStep& step, const std::string& rootfs,
                                           std::optional<int64_t> source_date_epoch) {
  sandbox::WriteRules rules;
  if (!step.chmod.empty()) {
    ASSIGN_OR_RETURN(rules.chmod, ParseChmod(step.chmod));
  }
  if (!step.chown.empty()) {
    ASSIGN_OR_RETURN(rules.owner, sandbox::ResolveFileOwner(rootfs, step.chown));
  }
  rules.preserve_owner = step.preserve_owner;
  rules.source_date_epoch = source_date_epoch;
  return rules;
}

}  // namespace strata::worker
