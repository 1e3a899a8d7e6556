#pragma once

// The two tars made from a container's file system: `commit` sends the
// container's changes (its upper dir against the image's layers, as one OCI
// layer); `export` writes the whole flattened rootfs, which `image import`
// takes back.

#include <string>

#include "cli/container/container_store.h"
#include "common/result.h"

namespace strata::cli::container {

// Writes the container's changes as an uncompressed OCI layer tar (overlay
// whiteouts become .wh. files) into a new file under `tmp_dir` and returns
// its path; "" when the container changed nothing. The mount points runc needs (/proc, /sys, /dev, /etc/hosts,
// /etc/resolv.conf) are left out while they are the empty stubs of a run.
Result<std::string> WriteChangesTar(ContainerStore& store, const ContainerRecord& record,
                                    const std::string& tmp_dir);

// Writes the merged rootfs of the container (mounted for the occasion
// when the container is not running) as an uncompressed tar into a new
// file under `tmp_dir` and returns its path.
Result<std::string> WriteRootfsTar(ContainerStore& store, const ContainerRecord& record,
                                   const std::string& tmp_dir);

}  // namespace strata::cli::container
