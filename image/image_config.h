#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "image/digest.h"

namespace strata::image {

// HEALTHCHECK settings (Docker extension). Durations are nanoseconds, as
// Go's time.Duration is written in JSON.
struct Healthcheck {
  std::vector<std::string> test;  // ["NONE"], ["CMD", ...] or ["CMD-SHELL", cmd]
  int64_t interval = 0;
  int64_t timeout = 0;
  int64_t start_period = 0;
  int64_t start_interval = 0;
  int64_t retries = 0;
  friend bool operator==(const Healthcheck&, const Healthcheck&) = default;
};

// The execution parameters of an image ("config" of the image config).
// Optional lists keep "unset" (null) apart from "set to empty" ([]), which
// Docker distinguishes for Entrypoint, Cmd and Shell.
struct ContainerConfig {
  std::string user;
  std::set<std::string> exposed_ports;  // "80/tcp"
  std::vector<std::string> env;         // "KEY=value"
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::set<std::string> volumes;
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  std::optional<Healthcheck> healthcheck;        // Docker extension
  std::optional<std::vector<std::string>> shell;  // Docker extension
  std::vector<std::string> on_build;              // Docker extension
  bool args_escaped = false;                      // Docker extension (Windows)
  friend bool operator==(const ContainerConfig&, const ContainerConfig&) = default;
};

struct RootFs {
  std::string type = "layers";
  std::vector<Digest> diff_ids;
  friend bool operator==(const RootFs&, const RootFs&) = default;
};

struct HistoryEntry {
  std::string created;  // RFC 3339
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;
  friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

// The image configuration blob (OCI config / Docker container.image.v1).
struct ImageConfig {
  std::string created;  // RFC 3339, e.g. "2024-01-02T03:04:05Z"
  std::string author;
  std::string architecture;
  std::string os;
  std::string os_version;
  std::string variant;
  ContainerConfig config;
  RootFs rootfs;
  std::vector<HistoryEntry> history;

  // Canonical JSON: fixed field order, maps sorted, empty fields omitted;
  // the same config always gives the same bytes and so the same digest.
  std::string ToJson() const;
  // Digest of ToJson().
  Digest ComputeDigest() const;
  // Reads OCI and Docker configs; unknown fields are ignored, malformed
  // ones rejected with InvalidArgument naming the field.
  static Result<ImageConfig> FromJson(std::string_view json);

  friend bool operator==(const ImageConfig&, const ImageConfig&) = default;
};

}  // namespace strata::image
