#include "common/options.h"

#include <fstream>
#include <iostream>

#include "common/did_you_mean.h"

namespace strata {
namespace {

const CLI::App* DeepestParsed(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) return DeepestParsed(*sub);
  return &app;
}

}  // namespace

void AddOptionTable(CLI::App& app, const std::vector<OptionSpec>& table) {
  for (const auto& row : table) {
    if (!row.default_value.empty() && row.target->empty()) *row.target = row.default_value;
    CLI::Option* opt = app.add_option(row.flag, *row.target, row.help);
    if (!row.env.empty()) opt->envname(row.env);
    if (!row.default_value.empty()) opt->default_str(row.default_value);
  }
}

void AddConfigFileOption(CLI::App& app, std::string* path) {
  app.add_option("--config", *path, "read options from this file of `key = value` lines")
      ->envname("STRATA_CONFIG");
}

namespace {

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Applies the config file named by --config to options not yet given.
// Returns false (after printing why) when the file is unreadable or names an
// option that does not exist.
bool ApplyConfigFile(CLI::App& app) {
  CLI::Option* config = app.get_option_no_throw("--config");
  if (config == nullptr || config->count() == 0) return true;
  std::string path = config->as<std::string>();
  std::ifstream in(path);
  if (!in) {
    std::cerr << app.get_name() << ": cannot read config file " << path
              << ": check that it exists and is readable\n";
    return false;
  }
  std::string line;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    line = Trim(line.substr(0, line.find('#')));
    if (line.empty() || line[0] == '[') continue;
    size_t eq = line.find('=');
    std::string key = Trim(line.substr(0, eq));
    std::string value = eq == std::string::npos ? "" : Trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    CLI::Option* opt = app.get_option_no_throw("--" + key);
    if (eq == std::string::npos || opt == nullptr) {
      std::cerr << path << ":" << lineno << ": unknown option '" << key
                << "': expected `key = value` with a key from --help\n";
      return false;
    }
    if (opt->count() > 0) continue;  // a flag or env var already set it
    opt->add_result(value);
    opt->run_callback();
  }
  return true;
}

}  // namespace

std::vector<std::string> CandidateWords(const CLI::App& app) {
  std::vector<std::string> words;
  for (const CLI::App* sub : app.get_subcommands({})) {
    words.push_back(sub->get_name());
    for (const auto& alias : sub->get_aliases()) words.push_back(alias);
  }
  for (const CLI::Option* opt : app.get_options()) {
    for (const auto& name : opt->get_lnames()) words.push_back("--" + name);
  }
  return words;
}

std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    if (!ApplyConfigFile(app)) return 2;
    return std::nullopt;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const CLI::App* where = DeepestParsed(app);
    std::string prog = app.get_name();
    std::vector<std::string> remaining = app.remaining(true);
    if (!remaining.empty() && !remaining[0].empty() && remaining[0][0] != '-' &&
        !where->get_subcommands({}).empty()) {
      std::cerr << prog << ": unknown command '" << remaining[0] << "'\n";
    } else {
      std::cerr << prog << ": " << e.what() << "\n";
    }
    std::vector<std::string> candidates = CandidateWords(*where);
    for (const std::string& word : remaining) {
      std::string guess = ClosestMatch(word, candidates);
      if (!guess.empty()) std::cerr << "Did you mean '" << guess << "' instead of '" << word << "'?\n";
    }
    std::cerr << "Run '" << prog << " --help' for usage.\n";
    return e.get_exit_code() == 0 ? 2 : e.get_exit_code();
  }
}

}  // namespace strata
