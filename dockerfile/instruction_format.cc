// FormatCommand (declared in dockerfile/instructions.h): one Dockerfile line
// per typed command, used for the "expanded original" text of plan steps.

#include <cstdio>

#include "dockerfile/duration.h"
#include "dockerfile/instructions.h"

namespace strata::dockerfile {
namespace {

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string JsonArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + JsonString(items[i]);
  return out + "]";
}

// A word as it would be written: quoted when it holds blanks or is empty.
std::string Word(std::string_view w) {
  if (w.empty() || w.find_first_of(" \t\n\"'") != std::string_view::npos) return JsonString(w);
  return std::string(w);
}

class Line {
 public:
  explicit Line(std::string_view keyword) : text_(keyword) {}
  void Flag(std::string_view name, std::string_view value) {
    if (!value.empty()) text_ += " --" + std::string(name) + "=" + std::string(value);
  }
  void Bool(std::string_view name, bool on) {
    if (on) text_ += " --" + std::string(name);
  }
  void Raw(std::string_view s) { text_ += " " + std::string(s); }
  std::string Take() { return std::move(text_); }

 private:
  std::string text_;
};

void AddCommandLine(Line* line, const CommandLine& cmd) {
  if (!cmd.prepend_shell) {
    line->Raw(JsonArray(cmd.args));
  } else if (!cmd.args.empty()) {
    line->Raw(cmd.args[0]);
  }
}

template <typename T>
void AddSources(Line* line, const T& cmd, bool json) {
  std::vector<std::string> all = cmd.sources;
  for (const SourceContent& c : cmd.contents) all.push_back("<<" + c.path);
  all.push_back(cmd.dest);
  if (json) {
    line->Raw(JsonArray(all));
    return;
  }
  for (const std::string& s : all) line->Raw(s.rfind("<<", 0) == 0 ? s : Word(s));
}

std::string Pairs(const std::vector<KeyValue>& pairs) {
  std::string out;
  for (const KeyValue& kv : pairs)
    out += (out.empty() ? "" : " ") + Word(kv.key) + "=" + Word(kv.value);
  return out;
}

struct Formatter {
  Line line;

  void operator()(const FromCommand& c) {
    line.Flag("platform", c.platform);
    line.Raw(c.image);
    if (!c.name.empty()) line.Raw("AS " + c.name);
  }
  void operator()(const RunCommand& c) {
    for (const std::string& m : c.mount_specs) line.Flag("mount", m);
    if (c.network_set) line.Flag("network", NetworkModeName(c.network));
    if (c.security_set) {
      line.Flag("security", c.security == SecurityMode::kInsecure ? "insecure" : "sandbox");
    }
    AddCommandLine(&line, c.command);
  }
  void operator()(const CmdCommand& c) { AddCommandLine(&line, c.command); }
  void operator()(const EntrypointCommand& c) { AddCommandLine(&line, c.command); }
  void operator()(const ShellCommand& c) { line.Raw(JsonArray(c.shell)); }
  void operator()(const EnvCommand& c) { line.Raw(Pairs(c.vars)); }
  void operator()(const LabelCommand& c) { line.Raw(Pairs(c.labels)); }
  void operator()(const MaintainerCommand& c) { line.Raw(c.maintainer); }
  void operator()(const ExposeCommand& c) {
    for (const std::string& p : c.ports) line.Raw(p);
  }
  void operator()(const CopyCommand& c) {
    line.Flag("from", c.from);
    line.Flag("chown", c.chown);
    line.Flag("chmod", c.chmod);
    line.Bool("link", c.link);
    line.Bool("parents", c.parents);
    for (const std::string& e : c.excludes) line.Flag("exclude", e);
    AddSources(&line, c, json);
  }
  void operator()(const AddCommand& c) {
    line.Flag("chown", c.chown);
    line.Flag("chmod", c.chmod);
    line.Bool("link", c.link);
    line.Flag("checksum", c.checksum);
    if (c.keep_git_dir) line.Flag("keep-git-dir", *c.keep_git_dir ? "true" : "false");
    if (c.unpack) line.Flag("unpack", *c.unpack ? "true" : "false");
    for (const std::string& e : c.excludes) line.Flag("exclude", e);
    AddSources(&line, c, json);
  }
  void operator()(const VolumeCommand& c) {
    if (json) {
      line.Raw(JsonArray(c.paths));
    } else {
      for (const std::string& p : c.paths) line.Raw(Word(p));
    }
  }
  void operator()(const UserCommand& c) { line.Raw(c.user); }
  void operator()(const WorkdirCommand& c) { line.Raw(Word(c.path)); }
  void operator()(const ArgCommand& c) {
    for (const ArgDeclaration& a : c.args) {
      line.Raw(a.default_value ? a.name + "=" + Word(*a.default_value) : a.name);
    }
  }
  void operator()(const OnbuildCommand& c) { line.Raw(c.expression); }
  void operator()(const StopSignalCommand& c) { line.Raw(c.signal); }
  void operator()(const HealthcheckCommand& c) {
    if (c.none) {
      line.Raw("NONE");
      return;
    }
    auto dur = [&](std::string_view name, std::chrono::nanoseconds d) {
      if (d.count() != 0) line.Flag(name, FormatGoDuration(d));
    };
    dur("interval", c.interval);
    dur("timeout", c.timeout);
    dur("start-period", c.start_period);
    dur("start-interval", c.start_interval);
    if (c.retries != 0) line.Flag("retries", std::to_string(c.retries));
    line.Raw("CMD");
    std::vector<std::string> argv(c.test.begin() + 1, c.test.end());
    if (c.test[0] == "CMD") {
      line.Raw(JsonArray(argv));
    } else if (!argv.empty()) {
      line.Raw(argv[0]);
    }
  }

  bool json;
};

}  // namespace

std::string FormatCommand(const Command& command) {
  Formatter f{Line(command.keyword), command.json};
  std::visit(f, command.body);
  return f.line.Take();
}

}  // namespace strata::dockerfile
