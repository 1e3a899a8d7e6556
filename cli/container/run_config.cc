#include "cli/container/run_config.h"

#include <stdlib.h>

#include <fstream>
#include <map>

namespace strata::cli::container {

std::vector<std::string> ContainerCommand::Argv() const {
  std::vector<std::string> argv = entrypoint;
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  return argv;
}

Result<ContainerCommand> ResolveCommand(const CommandParts& parts) {
  ContainerCommand out;
  if (parts.entrypoint_flag) {
    if (!parts.entrypoint_flag->empty()) out.entrypoint = {*parts.entrypoint_flag};
    out.cmd = parts.args;
  } else {
    if (parts.image_entrypoint) out.entrypoint = *parts.image_entrypoint;
    if (!parts.args.empty()) {
      out.cmd = parts.args;
    } else if (parts.image_cmd) {
      out.cmd = *parts.image_cmd;
    }
  }
  if (out.entrypoint.empty() && out.cmd.empty()) {
    return Status::InvalidArgument(
        "No command specified: the image has no ENTRYPOINT or CMD; give a command after the image");
  }
  return out;
}

Result<std::vector<std::string>> MergeEnv(const std::vector<std::string>& image_env,
                                          const std::vector<std::string>& env_file_lines,
                                          const std::vector<std::string>& flags,
                                          const EnvLookup& lookup) {
  std::vector<std::string> out;
  std::map<std::string, size_t> position;
  auto set = [&](const std::string& key, const std::string& entry) {
    auto it = position.find(key);
    if (it != position.end()) {
      out[it->second] = entry;
    } else {
      position[key] = out.size();
      out.push_back(entry);
    }
  };
  for (const auto& entry : image_env) set(entry.substr(0, entry.find('=')), entry);
  std::vector<std::string> given = env_file_lines;
  given.insert(given.end(), flags.begin(), flags.end());
  for (const auto& entry : given) {
    size_t eq = entry.find('=');
    std::string key = entry.substr(0, eq);
    if (key.empty()) {
      return Status::InvalidArgument("invalid environment variable: " + entry +
                                     " (use KEY=VALUE or KEY)");
    }
    if (eq != std::string::npos) {
      set(key, entry);
    } else if (std::optional<std::string> value = lookup(key)) {
      set(key, key + "=" + *value);
    }
  }
  return out;
}

Result<std::vector<std::string>> ReadEnvFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("open " + path + ": no such file (--env-file)");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    line = line.substr(start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '=') {
      return Status::InvalidArgument("invalid environment variable in " + path + ": " + line);
    }
    out.push_back(line);
  }
  return out;
}

Result<std::string> ParsePublish(const std::string& value) {
  std::string spec = value, proto = "tcp";
  if (size_t slash = spec.rfind('/'); slash != std::string::npos) {
    proto = spec.substr(slash + 1);
    spec = spec.substr(0, slash);
    if (proto != "tcp" && proto != "udp" && proto != "sctp") {
      return Status::InvalidArgument("invalid proto: " + proto + " in -p " + value);
    }
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  auto numeric = [](const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789-") == std::string::npos;
  };
  std::string ip = "0.0.0.0", host, port;
  if (parts.size() == 1) {
    port = parts[0];
  } else if (parts.size() == 2) {
    host = parts[0];
    port = parts[1];
  } else if (parts.size() == 3) {
    ip = parts[0].empty() ? ip : parts[0];
    host = parts[1];
    port = parts[2];
  } else {
    return Status::InvalidArgument("invalid -p " + value + ": use [IP:]HOST_PORT:CONTAINER_PORT");
  }
  if (!numeric(port) || (!host.empty() && !numeric(host))) {
    return Status::InvalidArgument("invalid -p " + value + ": ports must be numbers");
  }
  if (host != port) {
    return Status::InvalidArgument(
        "strata runs containers on the host network, so a port cannot be remapped: use -p " +
        port + ":" + port + " (the container's port " + port + " is the host's port " + port +
        "), not -p " + value);
  }
  return ip + ":" + host + "->" + port + "/" + proto;
}

std::optional<std::string> CallerEnv(const std::string& key) {
  const char* v = getenv(key.c_str());
  return v ? std::optional<std::string>(v) : std::nullopt;
}

std::string UnknownFlagMessage(const std::string& first, const std::string& command) {
  if (first.size() < 2 || first[0] != '-') return "";
  std::string what = first.rfind("--", 0) == 0
                         ? "unknown flag: " + first.substr(0, first.find('='))
                         : "unknown shorthand flag: '" + first.substr(1, 1) + "' in " + first;
  return what + "\nSee 'strata " + command + " --help'.";
}

int StartFailureExitCode(const std::string& reason) {
  auto has = [&](const char* text) { return reason.find(text) != std::string::npos; };
  if (has("executable file not found") || has("no such file or directory")) return 127;
  if (has("permission denied") || has("is a directory")) return 126;
  return 125;
}

std::string WithDefaultTag(const std::string& name) {
  if (name.find('@') != std::string::npos) return name;
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) return name;
  return name + ":latest";
}

namespace {

// A shortened version of Docker's lists (moby pkg/namesgenerator).
constexpr const char* kAdjectives[] = {
    "admiring", "affectionate", "amazing", "awesome", "blissful", "bold",    "brave",
    "charming", "clever",       "cool",    "dazzling", "eager",   "ecstatic", "elegant",
    "epic",     "festive",      "focused", "friendly", "gallant", "gifted",  "happy",
    "hopeful",  "jolly",        "keen",    "kind",     "loving",  "modest",  "nifty",
    "peaceful", "practical",    "quirky",  "relaxed",  "serene",  "sharp",   "stoic",
    "sweet",    "tender",       "trusting", "vibrant", "wizardly", "zealous"};
constexpr const char* kSurnames[] = {
    "albattani", "babbage", "bardeen",  "bell",     "curie",   "darwin",  "dijkstra",
    "einstein",  "euler",   "fermat",   "feynman",  "galileo", "gauss",   "hamilton",
    "hopper",    "hypatia", "johnson",  "kepler",   "knuth",   "lamport", "lovelace",
    "meitner",   "mendel",  "newton",   "noether",  "pascal",  "ritchie", "shannon",
    "thompson",  "torvalds", "turing",  "wozniak",  "yalow"};

}  // namespace

std::string RandomName(const std::function<size_t(size_t)>& pick) {
  constexpr size_t kA = sizeof(kAdjectives) / sizeof(kAdjectives[0]);
  constexpr size_t kS = sizeof(kSurnames) / sizeof(kSurnames[0]);
  std::string name = kAdjectives[pick(kA)];
  return name + "_" + kSurnames[pick(kS)];
}

bool ValidName(const std::string& name) {
  if (name.empty()) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name[0])) return false;
  for (char c : name) {
    if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

}  // namespace strata::cli::container
