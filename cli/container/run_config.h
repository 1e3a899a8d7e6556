#pragma once

// The pure rules of `strata container run`, as Docker applies them: the
// command line from ENTRYPOINT/CMD and the run's arguments, the environment
// from the image, -e and --env-file, and what -p may say when containers share
// the host's network. No I/O beyond reading an env file.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace strata::cli::container {

// argv = Entrypoint + (run args if any, else Cmd). `--entrypoint E` replaces
// the entrypoint with [E] (or none when E is "") and drops the image's Cmd.
// InvalidArgument "No command specified" when the result is empty.
struct CommandParts {
  std::optional<std::vector<std::string>> image_entrypoint;
  std::optional<std::vector<std::string>> image_cmd;
  std::optional<std::string> entrypoint_flag;  // --entrypoint, when given
  std::vector<std::string> args;               // after IMAGE
};

// The effective Entrypoint and Cmd of the container (Docker keeps them apart
// in the container's Config, and commit writes them to the new image).
struct ContainerCommand {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> Argv() const;
};
Result<ContainerCommand> ResolveCommand(const CommandParts& parts);

// Looks a variable up in the caller's environment (getenv in the CLI).
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// getenv(key), the EnvLookup of the strata process.
std::optional<std::string> CallerEnv(const std::string& key);

// Image Env, then each --env-file (in order), then each -e, later values
// replacing earlier ones of the same key and keeping its first position.
// "KEY" without "=" takes KEY from `lookup` and is dropped when unset there,
// as Docker does. An empty key is InvalidArgument.
Result<std::vector<std::string>> MergeEnv(const std::vector<std::string>& image_env,
                                          const std::vector<std::string>& env_file_lines,
                                          const std::vector<std::string>& flags,
                                          const EnvLookup& lookup);

// The entries of an --env-file: one KEY=VALUE or KEY per line; blank lines
// and lines starting with '#' are skipped; leading whitespace is trimmed.
Result<std::vector<std::string>> ReadEnvFile(const std::string& path);

// One -p value: [IP:]HOST:CONTAINER[/PROTO]. Containers run on the host
// network, so HOST must equal CONTAINER; anything else (a remapped or a
// random host port) is InvalidArgument saying why. Returns Docker's PORTS
// form, e.g. "0.0.0.0:80->80/tcp".
Result<std::string> ParsePublish(const std::string& value);

// The exit status of `run` and `exec` when the command could not be started,
// from the runtime's reason, as the Docker CLI decides it: 127 when the
// command is not found ("executable file not found", "no such file or
// directory"), 126 when it cannot be invoked ("permission denied", "is a
// directory"), else 125 (an error of the runtime itself).
int StartFailureExitCode(const std::string& reason);

// An image name as Docker reports it in "Unable to find image 'NAME'
// locally": ":latest" added when it has neither a tag nor a digest.
std::string WithDefaultTag(const std::string& name);

// Docker's refusal of a flag CLI11 left in front of IMAGE (or CONTAINER),
// one neither strata nor Docker knows, so that it is never taken for the
// image: "unknown flag: --x" or "unknown shorthand flag: 'x' in -x", then
// "See 'strata COMMAND --help'.". "" when `first` is no flag.
std::string UnknownFlagMessage(const std::string& first, const std::string& command);

// A random name like Docker's ("festive_turing"), from `pick(n)` in [0, n).
std::string RandomName(const std::function<size_t(size_t)>& pick);

// Docker's rule for --name: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
bool ValidName(const std::string& name);

}  // namespace strata::cli::container
