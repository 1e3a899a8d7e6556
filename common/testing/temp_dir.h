#pragma once

// Test helper: scratch directories under the test temp dir.

#include <string>

namespace strata::testing {

// A fresh directory under $TEST_TMPDIR (else /tmp), named after `prefix`;
// empty when it cannot be made.
std::string MakeTempDir(const std::string& prefix);

}  // namespace strata::testing
