#pragma once

// `strata image history IMAGE` (and `strata history`): Docker's columns
// IMAGE, CREATED, CREATED BY, SIZE, COMMENT, newest first, with
// --no-trunc, -q, -H/--human and --format.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli_context.h"
#include "common/options.h"
#include "image/image_config.h"

namespace strata::cli {

void AddHistoryCommands(CLI::App& app, CLI::App& image, CliContext& ctx);

struct HistoryOptions {
  bool human = true;
  bool no_trunc = false;
  int64_t now = 0;  // unix seconds, for CREATED "5 minutes ago"
};

// One row per history entry, newest first, with Docker's fields (ID,
// CreatedSince, CreatedAt, CreatedBy, Size, Comment). As Docker shows an
// image built without a local parent chain: the newest row carries the
// image id, the others "<missing>". `layer_sizes` are the unpacked sizes of
// the image's layers, base first; an entry with empty_layer has size 0.
std::vector<nlohmann::ordered_json> HistoryRows(const image::ImageConfig& config,
                                                const std::vector<uint64_t>& layer_sizes,
                                                const std::string& image_id,
                                                const HistoryOptions& options);

// Go's time.Parse(time.RFC3339Nano, s) to unix seconds; nullopt when `s`
// is not such a time.
std::optional<int64_t> ParseRfc3339Seconds(const std::string& s);

// Docker's formatter.Ellipsis for display: `s` unchanged when it has at most
// `width` characters, else its first width-1 characters and "…".
std::string Ellipsis(const std::string& s, size_t width);

}  // namespace strata::cli
