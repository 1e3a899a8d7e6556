// Where BuildKit's parser and shell test data live: tests/data/buildkit in
// this repository (see its NOTE.md). Test-only.
#ifndef STRATA_DOCKERFILE_CONFORMANCE_DATA_H_
#define STRATA_DOCKERFILE_CONFORMANCE_DATA_H_

#include <filesystem>

namespace strata::dockerfile {

// STRATA_CONFORMANCE_DIR when set, else the repository's tests/data/buildkit
// (the path compiled into the test binary). The directory may be missing;
// callers assert on what they read.
std::filesystem::path ConformanceDataDir();

}  // namespace strata::dockerfile

#endif  // STRATA_DOCKERFILE_CONFORMANCE_DATA_H_
