#pragma once

// The adapter for CLI11: every binary declares its options as one table
// (flag, STRATA_* environment variable, config-file key, default, help) and
// parses them here. Precedence, written down once: flag > env > config file >
// default (CLI11 applies it in that order).

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace strata {

struct OptionSpec {
  std::string flag;           // "--root"
  std::string env;            // "STRATA_ROOT", or "" for none
  std::string default_value;  // shown in --help; "" for none
  std::string help;
  std::string* target;        // receives the value
};

// Registers every row on `app`. The config-file key of a row is its flag
// without the leading dashes ("root = /var/lib/strata").
void AddOptionTable(CLI::App& app, const std::vector<OptionSpec>& table);

// Adds `--config FILE` (env STRATA_CONFIG): a file of `key = value` lines
// (TOML's simple form; `#` starts a comment) naming options of `app` by their
// long flag without dashes. Read by ParseCommandLine after flags and env, so
// the file fills only what neither gave.
void AddConfigFileOption(CLI::App& app, std::string* path);

// Parses argv. Returns std::nullopt when the program should go on, or the
// exit code when it should stop (help printed, or a usage error printed to
// stderr with a "did you mean" for a misspelled subcommand or flag).
std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv);

// The names a usage error could have meant: subcommands and long flags of
// the deepest subcommand that was recognised.
std::vector<std::string> CandidateWords(const CLI::App& app);

}  // namespace strata
