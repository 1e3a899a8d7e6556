#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace strata::image {

// Splits a layer entry path into components, refusing absolute paths and
// ".." (InvalidArgument naming `what`); "." and empty components vanish.
Result<std::vector<std::string>> SplitLayerPath(std::string_view path, std::string_view what);

// Maps the layer path `components` to a host path under `root` as the
// container will see it: symlinks met in the parent components are
// followed, an absolute target counts from `root`, and a relative target
// that would climb above `root` is refused (Corruption). The last component
// is never followed (the caller replaces or removes it). Components that do
// not exist yet are kept as named. Returns "<root>/<resolved parent>/<last>".
// REQUIRES: components come from SplitLayerPath and are not empty.
Result<std::string> ResolveInRoot(const std::string& root, const std::vector<std::string>& components);

// As ResolveInRoot, but as a process chrooted at `root` sees the path: a
// ".." (in the components or in a symlink's target) at `root` stays at
// `root` instead of being refused, so the result never leaves it. For ADD
// of a local archive, extracted as a chroot at the destination would.
Result<std::string> ResolveInChroot(const std::string& root,
                                    const std::vector<std::string>& components);

}  // namespace strata::image
