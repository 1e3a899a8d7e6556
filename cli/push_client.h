#pragma once

// The client half of a push on the wire (docs/protocol.md "Push"): sends
// PushImage, hands each PushProgress to the caller and returns the
// PushResult; an Error reply becomes its Status. Used by `strata push` and
// `build --push`.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "common/result.h"
#include "protocol/connection.h"
#include "protocol/registry.pb.h"

namespace strata::cli {

Result<v1::PushResult> RunRemotePush(protocol::Connection& connection, v1::PushImage request,
                                     const std::function<void(const v1::PushProgress&)>& progress);

// Docker's push lines from PushProgress, as its client prints them when the
// output is not a terminal: "<id>: <status>" when a layer's status changes
// (Pushing once, without the bar), "TAG: digest: D size: N" for a pushed tag.
class PushLines {
 public:
  // The line to print for `progress`, or nullopt when it changes nothing.
  std::optional<std::string> Line(const v1::PushProgress& progress);

 private:
  std::map<std::string, std::string> status_;  // layer id -> last status shown
};

// The message for a failed push: the coordinator's, with what to do on
// PermissionDenied (`strata login HOST`) when it does not say already.
std::string PushFailureMessage(const Status& status, const std::string& host);

}  // namespace strata::cli
