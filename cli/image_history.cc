#include "cli/image_history.h"

#include <time.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/coordinator_client.h"
#include "cli/format/format_spec.h"
#include "cli/humanize.h"
#include "common/clock.h"
#include "common/utf8.h"

namespace strata::cli {
namespace {

using Json = nlohmann::ordered_json;

bool Digits(const std::string& s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

struct HistoryFlags {
  std::string image;
  bool human = true, no_trunc = false, quiet = false;
  std::string format;
};

int Fail(const Status& s) {
  std::cerr << "Error: " << s.message() << "\n";
  return 1;
}

int RunHistory(const CliContext& ctx, const HistoryFlags& f) {
  std::string format = f.quiet ? "{{.ID}}" : (f.format.empty() ? "table" : f.format);
  auto spec = format::FormatSpec::Parse(
      format, "{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}");
  if (!spec.ok()) return Fail(spec.status());
  auto client = CoordinatorClient::Connect(ctx);
  if (!client.ok()) return Fail(client.status());
  protocol::Envelope req = protocol::NewEnvelope(0);
  req.mutable_resolve_image()->set_name(f.image);
  auto reply = (*client)->Call(req);
  if (!reply.ok()) {
    std::cerr << "Error response from daemon: " << reply.status().message() << "\n";
    return 1;
  }
  const auto& r = reply->resolved_image();
  auto config = image::ImageConfig::FromJson(r.config_json());
  if (!config.ok()) return Fail(config.status());
  std::vector<uint64_t> sizes;
  for (const auto& l : r.layers())
    sizes.push_back(l.uncompressed_size() ? l.uncompressed_size() : l.size());
  HistoryOptions options;
  options.human = f.human;
  options.no_trunc = f.no_trunc;
  options.now = static_cast<int64_t>(time(nullptr));
  std::vector<Json> rows = HistoryRows(*config, sizes, r.id(), options);
  auto out = spec->Render(rows, {{"ID", "IMAGE"},
                                 {"CreatedSince", "CREATED"},
                                 {"CreatedAt", "CREATED AT"},
                                 {"CreatedBy", "CREATED BY"}});
  if (!out.ok()) return Fail(out.status());
  std::cout << *out;
  return 0;
}

void AddHistory(CLI::App* parent, CliContext& ctx) {
  auto f = std::make_shared<HistoryFlags>();
  CLI::App* cmd = parent->add_subcommand("history", "Show the history of an image");
  cmd->add_flag("-H,--human", f->human,
                "print sizes and dates in human readable format (default true; --human=false for "
                "bytes and RFC 3339)");
  cmd->add_flag("--no-trunc", f->no_trunc, "don't truncate output");
  cmd->add_flag("-q,--quiet", f->quiet, "only show image IDs");
  cmd->add_option("--format", f->format,
                  "format output: table, table TEMPLATE, json, or a Go template");
  cmd->add_option("IMAGE", f->image, "image")->required();
  cmd->final_callback([&ctx, f] { ctx.run = [&ctx, f] { return RunHistory(ctx, *f); }; });
}

}  // namespace

std::optional<int64_t> ParseRfc3339Seconds(const std::string& s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  struct tm t = {};
  int year, mon, day, hour, min, sec;
  if (!Digits(s, 0, 4, &year) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mon) ||
      s[7] != '-' || !Digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, &hour) || s[13] != ':' || !Digits(s, 14, 2, &min) || s[16] != ':' ||
      !Digits(s, 17, 2, &sec)) {
    return std::nullopt;
  }
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
    offset = 0;
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || !Digits(s, pos + 4, 2, &om)) return std::nullopt;
    offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
    return std::nullopt;
  }
  t.tm_year = year - 1900;
  t.tm_mon = mon - 1;
  t.tm_mday = day;
  t.tm_hour = hour;
  t.tm_min = min;
  t.tm_sec = sec;
  return static_cast<int64_t>(timegm(&t)) - offset;
}

std::string Ellipsis(const std::string& s, size_t width) {
  // Count runes, not bytes (a byte that is not UTF-8 is one rune, as Go
  // reads it).
  std::vector<size_t> starts;
  for (size_t i = 0; i < s.size(); i += DecodeRune(std::string_view(s).substr(i)).width) {
    starts.push_back(i);
  }
  if (starts.size() <= width) return s;
  if (width == 0) return "";
  return s.substr(0, starts[width - 1]) + "…";
}

std::vector<Json> HistoryRows(const image::ImageConfig& config,
                              const std::vector<uint64_t>& layer_sizes, const std::string& image_id,
                              const HistoryOptions& options) {
  std::vector<Json> rows;
  size_t layer = 0;
  for (const image::HistoryEntry& h : config.history) {
    uint64_t size = 0;
    if (!h.empty_layer) {
      if (layer < layer_sizes.size()) size = layer_sizes[layer];
      ++layer;
    }
    int64_t created = ParseRfc3339Seconds(h.created).value_or(0);
    std::string created_by = h.created_by;
    std::replace(created_by.begin(), created_by.end(), '\t', ' ');
    Json j;
    j["Comment"] = h.comment;
    j["CreatedAt"] = FormatRfc3339Nano(created * 1000000000LL);
    j["CreatedBy"] = options.no_trunc ? created_by : Ellipsis(created_by, 45);
    j["CreatedSince"] = options.human ? HumanDuration(options.now - created) + " ago"
                                      : FormatRfc3339Nano(created * 1000000000LL);
    j["ID"] = "<missing>";
    j["Size"] = options.human ? HumanSize(static_cast<double>(size)) : std::to_string(size);
    rows.push_back(std::move(j));
  }
  std::reverse(rows.begin(), rows.end());
  if (!rows.empty()) {
    std::string id = image_id;
    if (!options.no_trunc) id = id.substr(id.find(':') + 1, 12);
    rows.front()["ID"] = id;
  }
  return rows;
}

void AddHistoryCommands(CLI::App& app, CLI::App& image, CliContext& ctx) {
  AddHistory(&app, ctx);
  AddHistory(&image, ctx);
}

}  // namespace strata::cli
