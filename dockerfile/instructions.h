#pragma once

// Typed Dockerfile instructions: each AST Instruction (dockerfile/ast.h)
// becomes one Command whose body holds the instruction's meaning, its flags
// checked, as BuildKit's frontend/dockerfile/instructions package does.
// Values are as written; variable expansion is the planner's job
// (dockerfile/plan.h).

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "dockerfile/ast.h"
#include "dockerfile/run_mount.h"

namespace strata::dockerfile {

struct KeyValue {
  std::string key;
  std::string value;
  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

// FROM [--platform=P] image [AS name]
struct FromCommand {
  std::string image;     // "scratch", an image reference or an earlier stage's name
  std::string name;      // stage name, lower-cased; "" when unnamed
  std::string platform;  // --platform value, "" when absent
};

// The command line of RUN, CMD and ENTRYPOINT.
struct CommandLine {
  std::vector<std::string> args;  // exec form: argv; shell form: one string
  bool prepend_shell = true;      // shell form: run through the SHELL
  std::vector<Heredoc> files;     // here-documents (RUN <<EOF)
};

enum class NetworkMode { kDefault, kNone, kHost };
enum class SecurityMode { kSandbox, kInsecure };
std::string_view NetworkModeName(NetworkMode mode);

struct RunCommand {
  CommandLine command;
  std::vector<std::string> mount_specs;  // --mount values as written
  std::vector<RunMount> mounts;          // parsed; final after the planner expands them
  NetworkMode network = NetworkMode::kDefault;
  SecurityMode security = SecurityMode::kSandbox;
  bool network_set = false;   // --network was written
  bool security_set = false;  // --security was written
};
struct CmdCommand {
  CommandLine command;
};
struct EntrypointCommand {
  CommandLine command;
};
struct ShellCommand {
  std::vector<std::string> shell;
};
struct EnvCommand {
  std::vector<KeyValue> vars;
};
struct LabelCommand {
  std::vector<KeyValue> labels;
};
struct MaintainerCommand {
  std::string maintainer;
};
struct ExposeCommand {
  std::vector<std::string> ports;  // as written ("80", "53/udp", "$PORT")
};

// A here-document used as a COPY/ADD source (`COPY <<EOF /dst`).
struct SourceContent {
  std::string path;  // the heredoc name, used as the file name
  std::string data;
  bool expand = true;  // unquoted delimiter: variables in `data` are expanded
};

struct CopyCommand {
  std::vector<std::string> sources;
  std::vector<SourceContent> contents;
  std::string dest;
  std::string from;  // --from: stage name, stage index or image
  std::string chown;
  std::string chmod;
  bool link = false;
  bool parents = false;
  std::vector<std::string> excludes;
};
struct AddCommand {
  std::vector<std::string> sources;
  std::vector<SourceContent> contents;
  std::string dest;
  std::string chown;
  std::string chmod;
  bool link = false;
  std::vector<std::string> excludes;
  std::string checksum;
  std::optional<bool> keep_git_dir;
  std::optional<bool> unpack;
};
struct VolumeCommand {
  std::vector<std::string> paths;
};
struct UserCommand {
  std::string user;
};
struct WorkdirCommand {
  std::string path;
};
struct ArgDeclaration {
  std::string name;
  std::optional<std::string> default_value;
  friend bool operator==(const ArgDeclaration&, const ArgDeclaration&) = default;
};
struct ArgCommand {
  std::vector<ArgDeclaration> args;
};
struct StopSignalCommand {
  std::string signal;
};
struct HealthcheckCommand {
  bool none = false;              // HEALTHCHECK NONE
  std::vector<std::string> test;  // {"CMD", argv...} or {"CMD-SHELL", "cmd"}; {"NONE"}
  std::chrono::nanoseconds interval{0}, timeout{0}, start_period{0}, start_interval{0};
  int retries = 0;
};

struct Command;
struct OnbuildCommand {
  std::string expression;                  // the trigger's text, e.g. "RUN make"
  std::shared_ptr<const Command> trigger;  // the trigger, parsed (never ONBUILD/FROM/MAINTAINER)
};

using CommandBody =
    std::variant<FromCommand, RunCommand, CmdCommand, EntrypointCommand, ShellCommand, EnvCommand,
                 LabelCommand, MaintainerCommand, ExposeCommand, CopyCommand, AddCommand,
                 VolumeCommand, UserCommand, WorkdirCommand, ArgCommand, OnbuildCommand,
                 StopSignalCommand, HealthcheckCommand>;

// One typed instruction and where it came from.
struct Command {
  std::string keyword;  // upper-case: "COPY"
  CommandBody body;
  std::string original;  // source text (from the AST)
  bool json = false;     // arguments were written as a JSON array (exec form)
  int start_line = 0;
  int end_line = 0;

  template <typename T>
  const T* As() const {
    return std::get_if<T>(&body);
  }
  template <typename T>
  T* As() {
    return std::get_if<T>(&body);
  }
};

// Builds the typed command of one instruction. Errors carry BuildKit's
// wording without a location (the caller adds FILE:LINE), e.g.
// "unknown instruction: FOO (did you mean FROM?)", "unknown flag: --foo",
// "COPY requires at least two arguments, but only one was provided.
// Destination could not be determined".
Result<Command> ParseInstruction(const Instruction& instruction);

// Upper-case names of all instructions, for suggestions.
const std::vector<std::string>& AllInstructionNames();

// Checks a --chmod value: octal up to 07777, or a symbolic mode such as
// "u+x,g-w".
Status ValidateChmod(std::string_view chmod);

// The command as one Dockerfile line (keyword, flags, arguments), as it reads
// after expansion: `COPY --from=build /out /app`. Exec forms print as JSON;
// here-documents print only their `<<NAME` marker.
std::string FormatCommand(const Command& command);

}  // namespace strata::dockerfile
