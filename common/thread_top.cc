#include "common/thread_top.h"

#include <exception>
#include <string>

#include "common/logging.h"

namespace strata {

Status CatchAtThreadTop(std::string_view what, const std::function<void()>& body) {
  std::string reason;
  try {
    body();
    return Status::OK();
  } catch (const std::exception& e) {
    reason = e.what();
  } catch (...) {
    reason = "unknown exception";
  }
  LOG(ERROR) << what << " failed unexpectedly: " << reason;
  return Status::Internal(std::string(what) + " failed unexpectedly: " + reason +
                          " (a bug in strata: please report it)");
}

}  // namespace strata
