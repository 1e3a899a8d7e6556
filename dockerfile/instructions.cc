#include "dockerfile/instructions.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "common/did_you_mean.h"
#include "common/numbers.h"
#include "dockerfile/duration.h"
#include "dockerfile/heredoc.h"
#include "dockerfile/instruction_flags.h"

namespace strata::dockerfile {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Status Error(std::string message) { return Status::InvalidArgument(std::move(message)); }
Status AtLeastOne(std::string_view cmd) {
  return Error(std::string(cmd) + " requires at least one argument");
}
Status ExactlyOne(std::string_view cmd) {
  return Error(std::string(cmd) + " requires exactly one argument");
}

// Shell form is one string; a hand-built AST may split it, so join.
std::vector<std::string> CommandArgs(const Instruction& in, size_t skip = 0) {
  std::vector<std::string> args(in.args.begin() + std::min(skip, in.args.size()), in.args.end());
  if (in.json || args.size() <= 1) return args;
  std::string joined;
  for (const std::string& a : args) joined += (joined.empty() ? "" : " ") + a;
  return {joined};
}

CommandLine ParseCommandLine(const Instruction& in) {
  CommandLine line;
  line.args = CommandArgs(in);
  line.prepend_shell = !in.json;
  line.files = in.heredocs;
  return line;
}

// A heredoc marker word (`<<EOF`, `<<-'EOF'`, `<<a.txt`) as BuildKit's
// MustParseHeredoc reads it: nullopt when the word is not one.
std::optional<Heredoc> HeredocWord(std::string_view word) {
  Result<std::optional<Heredoc>> heredoc = ParseHeredocWord(word);
  return heredoc.ok() ? *heredoc : std::nullopt;
}

template <typename T>
Status ParseSourcesAndDest(const Instruction& in, std::string_view name, T* cmd) {
  if (in.args.size() < 2) {
    return Error(std::string(name) +
                 " requires at least two arguments, but only one was provided. Destination "
                 "could not be determined");
  }
  cmd->dest = in.args.back();
  if (HeredocWord(cmd->dest)) {
    return Error(std::string(name) + " cannot accept a heredoc as a destination");
  }
  for (size_t i = 0; i + 1 < in.args.size(); ++i) {
    const std::string& src = in.args[i];
    auto heredoc = in.json ? std::nullopt : HeredocWord(src);
    if (!heredoc) {
      cmd->sources.push_back(src);
      continue;
    }
    // The body is the one of the same name; chomping and expansion follow
    // the source word (BuildKit's parseSourcesAndDest).
    SourceContent content{heredoc->name, "", heredoc->expand};
    for (const Heredoc& h : in.heredocs) {
      if (h.name == heredoc->name) content.data = h.content;
    }
    if (heredoc->chomp) content.data = ChompHeredocContent(content.data);
    cmd->contents.push_back(std::move(content));
  }
  return Status::OK();
}

bool HasVariable(std::string_view s) { return s.find('$') != std::string_view::npos; }

Result<CommandBody> ParseCopy(const Instruction& in) {
  InstructionFlags flags(in.flags);
  flags.AddString("chown");
  flags.AddString("from");
  flags.AddString("chmod");
  flags.AddBool("link");
  flags.AddStrings("exclude");
  flags.AddBool("parents");
  TRY(flags.Parse());
  CopyCommand cmd;
  TRY(ParseSourcesAndDest(in, "COPY", &cmd));
  cmd.from = flags.String("from");
  cmd.chown = flags.String("chown");
  cmd.chmod = flags.String("chmod");
  cmd.link = flags.Bool("link");
  cmd.parents = flags.Bool("parents");
  cmd.excludes = flags.Strings("exclude");
  if (HasVariable(cmd.from)) {
    return Error(
        "variable expansion is not supported for --from, define a new stage with FROM using "
        "ARG from global scope as a workaround");
  }
  if (!cmd.chmod.empty() && !HasVariable(cmd.chmod)) TRY(ValidateChmod(cmd.chmod));
  return CommandBody(std::move(cmd));
}

Result<CommandBody> ParseAdd(const Instruction& in) {
  InstructionFlags flags(in.flags);
  flags.AddString("chown");
  flags.AddString("chmod");
  flags.AddBool("link");
  flags.AddBool("keep-git-dir");
  flags.AddString("checksum");
  flags.AddBool("unpack");
  flags.AddStrings("exclude");
  TRY(flags.Parse());
  AddCommand cmd;
  TRY(ParseSourcesAndDest(in, "ADD", &cmd));
  cmd.chown = flags.String("chown");
  cmd.chmod = flags.String("chmod");
  cmd.link = flags.Bool("link");
  cmd.checksum = flags.String("checksum");
  cmd.excludes = flags.Strings("exclude");
  if (flags.IsUsed("keep-git-dir")) cmd.keep_git_dir = flags.Bool("keep-git-dir");
  if (flags.IsUsed("unpack")) cmd.unpack = flags.Bool("unpack");
  if (!cmd.chmod.empty() && !HasVariable(cmd.chmod)) TRY(ValidateChmod(cmd.chmod));
  return CommandBody(std::move(cmd));
}

Result<CommandBody> ParseFrom(const Instruction& in) {
  FromCommand cmd;
  if (in.args.size() == 3 && Lower(in.args[1]) == "as") {
    cmd.name = Lower(in.args[2]);
    static const std::regex kStageName("^[a-z][a-z0-9-_.]*$");
    if (!std::regex_match(cmd.name, kStageName)) {
      return Error("invalid name for build stage: \"" + in.args[2] +
                   "\", name can't start with a number or contain symbols");
    }
  } else if (in.args.size() != 1) {
    return Error("FROM requires either one or three arguments");
  }
  InstructionFlags flags(in.flags);
  flags.AddString("platform");
  TRY(flags.Parse());
  cmd.image = in.args[0];
  cmd.platform = flags.String("platform");
  return CommandBody(std::move(cmd));
}

Result<std::vector<KeyValue>> ParsePairs(const Instruction& in, std::string_view name) {
  if (in.args.empty()) return AtLeastOne(name);
  if (in.args.size() % 3 != 0) return Error(std::string(name) + " must have two arguments");
  std::vector<KeyValue> pairs;
  for (size_t i = 0; i < in.args.size(); i += 3) {
    if (in.args[i].empty()) return Error(std::string(name) + " names can not be blank");
    // The legacy `ENV key value` form needs a value (BuildKit's env_no_value).
    if (in.args[i + 2].empty() && in.args[i + 1].empty()) {
      return Error(std::string(name) + " must have two arguments");
    }
    pairs.push_back({in.args[i], in.args[i + 1]});
  }
  return pairs;
}

Result<CommandBody> ParseRun(const Instruction& in) {
  InstructionFlags flags(in.flags);
  flags.AddStrings("mount");
  flags.AddString("network", "default");
  flags.AddString("security", "sandbox");
  TRY(flags.Parse());
  RunCommand cmd;
  cmd.command = ParseCommandLine(in);
  const std::string& network = flags.String("network");
  if (network == "default")
    cmd.network = NetworkMode::kDefault;
  else if (network == "none")
    cmd.network = NetworkMode::kNone;
  else if (network == "host")
    cmd.network = NetworkMode::kHost;
  else
    return Error("invalid network mode \"" + network + "\" (want default, none or host)");
  cmd.network_set = flags.IsUsed("network");
  const std::string& security = flags.String("security");
  if (security == "sandbox")
    cmd.security = SecurityMode::kSandbox;
  else if (security == "insecure")
    cmd.security = SecurityMode::kInsecure;
  else
    return Error("invalid security mode \"" + security + "\" (want sandbox or insecure)");
  cmd.security_set = flags.IsUsed("security");
  for (const std::string& spec : flags.Strings("mount")) {
    ASSIGN_OR_RETURN(RunMount mount, ParseRunMount(spec, nullptr));
    cmd.mount_specs.push_back(spec);
    cmd.mounts.push_back(std::move(mount));
  }
  return CommandBody(std::move(cmd));
}

Result<std::chrono::nanoseconds> ParseInterval(std::string_view name, const std::string& value) {
  if (value.empty()) return std::chrono::nanoseconds(0);
  auto d = ParseGoDuration(value);
  if (!d.ok()) return Error("invalid --" + std::string(name) + ": " + d.status().message());
  if (d->count() == 0) return *d;
  if (*d < std::chrono::milliseconds(1)) {
    return Error("Interval \"" + std::string(name) + "\" cannot be less than 1ms");
  }
  return *d;
}

Result<CommandBody> ParseHealthcheck(const Instruction& in) {
  if (in.args.empty()) return AtLeastOne("HEALTHCHECK");
  HealthcheckCommand cmd;
  std::string type = Upper(in.args[0]);
  if (type == "NONE") {
    if (in.args.size() != 1) return Error("HEALTHCHECK NONE takes no arguments");
    cmd.none = true;
    cmd.test = {"NONE"};
    return CommandBody(std::move(cmd));
  }
  InstructionFlags flags(in.flags);
  for (const char* name : {"interval", "timeout", "start-period", "start-interval", "retries"}) {
    flags.AddString(name);
  }
  TRY(flags.Parse());
  if (type != "CMD") return Error("Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)");
  std::vector<std::string> args = CommandArgs(in, 1);
  if (args.empty() || (args.size() == 1 && TrimSpace(args[0]).empty())) {
    return Error("Missing command after HEALTHCHECK CMD");
  }
  cmd.test.push_back(in.json ? "CMD" : "CMD-SHELL");
  cmd.test.insert(cmd.test.end(), args.begin(), args.end());
  ASSIGN_OR_RETURN(cmd.interval, ParseInterval("interval", flags.String("interval")));
  ASSIGN_OR_RETURN(cmd.timeout, ParseInterval("timeout", flags.String("timeout")));
  ASSIGN_OR_RETURN(cmd.start_period, ParseInterval("start-period", flags.String("start-period")));
  ASSIGN_OR_RETURN(cmd.start_interval,
                   ParseInterval("start-interval", flags.String("start-interval")));
  const std::string& retries = flags.String("retries");
  if (!retries.empty()) {
    static const std::regex kInt("^[+-]?[0-9]{1,10}$");
    std::optional<int64_t> parsed =
        std::regex_match(retries, kInt) ? ParseInt64(retries) : std::nullopt;
    long long n = parsed ? *parsed : (1LL << 40);
    if (n > 2147483647LL || n < -2147483648LL) {
      return Error("invalid --retries value \"" + retries + "\": want an integer");
    }
    if (n < 0) return Error("--retries cannot be negative (" + retries + ")");
    cmd.retries = static_cast<int>(n);
  }
  return CommandBody(std::move(cmd));
}

Result<CommandBody> ParseOnbuild(const Instruction& in) {
  if (in.onbuild.empty()) return AtLeastOne("ONBUILD");
  const Instruction& nested = in.onbuild.front();
  std::string trigger = Upper(TrimSpace(nested.keyword));
  if (trigger == "ONBUILD") return Error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (trigger == "MAINTAINER" || trigger == "FROM") {
    return Error(trigger + " isn't allowed as an ONBUILD trigger");
  }
  ASSIGN_OR_RETURN(Command parsed, ParseInstruction(nested));
  OnbuildCommand cmd;
  static const std::regex kPrefix(R"(^\s*[oO][nN][bB][uU][iI][lL][dD]\s*)");
  cmd.expression =
      std::regex_replace(in.original, kPrefix, "", std::regex_constants::format_first_only);
  if (cmd.expression.empty()) cmd.expression = nested.original;
  for (const Heredoc& h : in.heredocs) cmd.expression += "\n" + h.content + h.name;
  cmd.trigger = std::make_shared<const Command>(std::move(parsed));
  return CommandBody(std::move(cmd));
}

Result<CommandBody> ParseBody(const std::string& keyword, const Instruction& in) {
  auto no_flags = [&]() {
    InstructionFlags flags(in.flags);
    return flags.Parse();
  };
  if (keyword == "FROM") return ParseFrom(in);
  if (keyword == "RUN") return ParseRun(in);
  if (keyword == "COPY") return ParseCopy(in);
  if (keyword == "ADD") return ParseAdd(in);
  if (keyword == "HEALTHCHECK") return ParseHealthcheck(in);
  // The remaining instructions take no flags.
  if (keyword == "ONBUILD") {
    TRY(no_flags());
    return ParseOnbuild(in);
  }
  TRY(no_flags());
  if (keyword == "CMD") return CommandBody(CmdCommand{ParseCommandLine(in)});
  if (keyword == "ENTRYPOINT") {
    CommandLine line = ParseCommandLine(in);
    if (line.args.size() == 1 && !in.json && TrimSpace(line.args[0]).empty()) line.args.clear();
    return CommandBody(EntrypointCommand{std::move(line)});
  }
  if (keyword == "SHELL") {
    if (in.args.empty()) return AtLeastOne("SHELL");
    if (!in.json) return Error("SHELL requires the arguments to be in JSON form");
    return CommandBody(ShellCommand{in.args});
  }
  if (keyword == "ENV") {
    ASSIGN_OR_RETURN(auto vars, ParsePairs(in, "ENV"));
    return CommandBody(EnvCommand{std::move(vars)});
  }
  if (keyword == "LABEL") {
    ASSIGN_OR_RETURN(auto labels, ParsePairs(in, "LABEL"));
    return CommandBody(LabelCommand{std::move(labels)});
  }
  if (keyword == "MAINTAINER") {
    if (in.args.size() != 1) return ExactlyOne("MAINTAINER");
    return CommandBody(MaintainerCommand{in.args[0]});
  }
  if (keyword == "EXPOSE") {
    if (in.args.empty()) return AtLeastOne("EXPOSE");
    return CommandBody(ExposeCommand{in.args});
  }
  if (keyword == "VOLUME") {
    if (in.args.empty()) return AtLeastOne("VOLUME");
    VolumeCommand cmd;
    for (const std::string& v : in.args) {
      std::string_view path = TrimSpace(v);
      if (path.empty()) return Error("VOLUME specified can not be an empty string");
      cmd.paths.emplace_back(path);
    }
    return CommandBody(std::move(cmd));
  }
  if (keyword == "USER") {
    if (in.args.size() != 1) return ExactlyOne("USER");
    return CommandBody(UserCommand{in.args[0]});
  }
  if (keyword == "WORKDIR") {
    if (in.args.size() != 1) return ExactlyOne("WORKDIR");
    return CommandBody(WorkdirCommand{in.args[0]});
  }
  if (keyword == "STOPSIGNAL") {
    if (in.args.size() != 1) return ExactlyOne("STOPSIGNAL");
    return CommandBody(StopSignalCommand{in.args[0]});
  }
  if (keyword == "ARG") {
    if (in.args.empty()) return AtLeastOne("ARG");
    ArgCommand cmd;
    for (const std::string& word : in.args) {
      size_t eq = word.find('=');
      if (eq == 0) return Error("ARG names can not be blank");
      if (eq == std::string::npos) {
        cmd.args.push_back({word, std::nullopt});
      } else {
        cmd.args.push_back({word.substr(0, eq), word.substr(eq + 1)});
      }
    }
    return CommandBody(std::move(cmd));
  }
  std::string message = "unknown instruction: " + keyword;
  std::string guess = ClosestMatch(keyword, AllInstructionNames());
  if (!guess.empty()) message += " (did you mean " + guess + "?)";
  return Error(message);
}

}  // namespace

std::string_view NetworkModeName(NetworkMode mode) {
  switch (mode) {
    case NetworkMode::kDefault:
      return "default";
    case NetworkMode::kNone:
      return "none";
    case NetworkMode::kHost:
      return "host";
  }
  return "default";
}

const std::vector<std::string>& AllInstructionNames() {
  static const std::vector<std::string> names = {
      "ADD",    "ARG",   "CMD",         "COPY",  "ENTRYPOINT", "ENV",
      "EXPOSE", "FROM",  "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD",
      "RUN",    "SHELL", "STOPSIGNAL",  "USER",  "VOLUME",     "WORKDIR"};
  return names;
}

Status ValidateChmod(std::string_view chmod) {
  bool numeric = !chmod.empty() && std::all_of(chmod.begin(), chmod.end(),
                                               [](char c) { return c >= '0' && c <= '9'; });
  std::string bad = "invalid chmod parameter: '" + std::string(chmod) +
                    "'. it should be octal string and between 0 and 07777";
  if (numeric) {
    if (chmod.size() > 6) return Error(bad);
    unsigned value = 0;
    for (char c : chmod) {
      if (c > '7') return Error(bad);
      value = value * 8 + (c - '0');
    }
    return value > 07777 ? Error(bad) : Status::OK();
  }
  static const std::regex kSymbolic(
      "^[ugoa]*([-+=]([rwxXst]*|[ugo]))+(,[ugoa]*([-+=]([rwxXst]*|[ugo]))+)*$");
  if (!std::regex_match(std::string(chmod), kSymbolic)) return Error(bad);
  return Status::OK();
}

Result<Command> ParseInstruction(const Instruction& instruction) {
  Command command;
  command.keyword = Upper(instruction.keyword);
  command.original = instruction.original;
  command.json = instruction.json;
  command.start_line = instruction.start_line;
  command.end_line = instruction.end_line;
  ASSIGN_OR_RETURN(command.body, ParseBody(command.keyword, instruction));
  return command;
}

}  // namespace strata::dockerfile
