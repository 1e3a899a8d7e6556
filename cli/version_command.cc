#include "cli/version_command.h"

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/coordinator_client.h"
#include "cli/format/format_spec.h"
#include "protocol/envelope.h"

namespace strata::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string Line(const std::string& indent, const std::string& label, const std::string& value) {
  std::string key = indent + label + ":";
  // Docker pads " Version:" to 20 columns in both sections.
  if (key.size() < 20) key.append(20 - key.size(), ' ');
  return key + value + "\n";
}

Json InfoJson(const BuildInfo& info, int api_version) {
  size_t slash = info.os_arch.find('/');
  Json j;
  j["Version"] = info.version;
  j["ApiVersion"] = std::to_string(api_version);
  j["Compiler"] = info.compiler;
  j["GitCommit"] = info.git_commit;
  j["BuildTime"] = info.built;
  j["Os"] = info.os_arch.substr(0, slash);
  j["Arch"] = slash == std::string::npos ? "" : info.os_arch.substr(slash + 1);
  return j;
}

struct VersionFlags {
  std::string format;
};

int RunVersion(const CliContext& ctx, const VersionFlags& f) {
  const BuildInfo& client = GetBuildInfo();
  std::optional<format::FormatSpec> spec;
  if (!f.format.empty()) {
    auto parsed = format::FormatSpec::Parse(f.format);
    if (!parsed.ok()) {
      std::cerr << "Error: " << parsed.status().message() << "\n";
      return 1;
    }
    spec = std::move(*parsed);
  }

  std::optional<BuildInfo> server;
  int server_api = 0;
  Status error;
  auto conn = CoordinatorClient::Connect(ctx);
  if (conn.ok()) {
    protocol::Envelope ping = protocol::NewEnvelope(0);
    ping.mutable_ping();
    auto reply = (*conn)->Call(ping, std::chrono::seconds(10));
    if (reply.ok() && reply->has_pong()) {
      const auto& p = reply->pong();
      server = BuildInfo{p.version(), p.git_commit(), p.built(), p.compiler(), p.os_arch()};
      server_api = static_cast<int>(p.protocol_version());
    } else {
      error = reply.ok() ? Status::Internal("the coordinator did not answer the ping") : reply.status();
    }
  } else {
    error = conn.status();
  }

  if (spec) {
    Json j;
    j["Client"] = InfoJson(client, protocol::kProtocolVersion);
    j["Server"] = server ? InfoJson(*server, server_api) : Json(nullptr);
    auto out = spec->Render({j});
    if (!out.ok()) {
      std::cerr << "Error: " << out.status().message() << "\n";
      return 1;
    }
    std::cout << *out;
  } else {
    std::cout << VersionSection("Client:", client, protocol::kProtocolVersion, false);
    if (server) std::cout << "\n" << VersionSection("Server:", *server, server_api, true);
  }
  if (!server) {
    std::cout.flush();
    std::cerr << "Error: " << error.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

std::string VersionLine(const BuildInfo& info) {
  return "strata version " + info.version + ", build " + info.git_commit;
}

std::string VersionSection(const std::string& title, const BuildInfo& info, int api_version,
                           bool server) {
  std::string out = title + "\n";
  std::string indent = " ";
  if (server) {
    out += " Coordinator:\n";
    indent = "  ";
  }
  out += Line(indent, "Version", info.version);
  out += Line(indent, "API version", std::to_string(api_version));
  out += Line(indent, "Compiler", info.compiler);
  out += Line(indent, "Git commit", info.git_commit);
  out += Line(indent, "Built", info.built);
  out += Line(indent, "OS/Arch", info.os_arch);
  return out;
}

void AddVersionCommand(CLI::App& app, CliContext& ctx) {
  auto f = std::make_shared<VersionFlags>();
  CLI::App* cmd = app.add_subcommand("version", "Show the strata version information");
  cmd->add_option("-f,--format", f->format, "format output with a Go template, or json");
  cmd->final_callback([&ctx, f] { ctx.run = [&ctx, f] { return RunVersion(ctx, *f); }; });
}

}  // namespace strata::cli
