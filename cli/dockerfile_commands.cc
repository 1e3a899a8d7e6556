#include "cli/dockerfile_commands.h"

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "dockerfile/dump.h"
#include "dockerfile/parser.h"
#include "dockerfile/plan.h"
#include "dockerfile/plan_format.h"
#include "dockerfile/shell_lexer.h"

namespace strata::cli {
namespace {

Result<std::string> ReadInput(const std::string& path) {
  if (path == "-") {
    std::ostringstream out;
    out << std::cin.rdbuf();
    return out.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("cannot read Dockerfile " + path +
                            ": check the path (use -f to name another file)");
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Splits K=V pairs; a bare K takes its value from the environment, as
// `docker build --build-arg K` does.
Result<std::map<std::string, std::string>> ParsePairs(const std::vector<std::string>& pairs,
                                                      const char* flag) {
  std::map<std::string, std::string> out;
  for (const auto& p : pairs) {
    size_t eq = p.find('=');
    if (eq == 0) {
      return Status::InvalidArgument(std::string(flag) + " " + p + ": the name before '=' is empty");
    }
    if (eq == std::string::npos) {
      const char* v = std::getenv(p.c_str());
      if (v != nullptr) out[p] = v;
      continue;
    }
    out[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return out;
}

int Fail(const Status& s) {
  std::cerr << "error: " << s.message() << "\n";
  return 1;
}

struct DockerfileFlags {
  std::string file;
  bool dump = false;
  std::vector<std::string> env;
  std::vector<std::string> words;
  std::string target;
  std::vector<std::string> build_args;
  std::string platform;
};

int RunParse(const DockerfileFlags& f) {
  Result<std::string> content = ReadInput(f.file);
  if (!content.ok()) return Fail(content.status());
  Result<dockerfile::Ast> ast = dockerfile::Parse(*content);
  if (!ast.ok()) return Fail(dockerfile::WithFileLocation(ast.status(), f.file));
  if (f.dump) std::cout << dockerfile::Dump(*ast) << "\n";
  return 0;
}

int RunExpand(const DockerfileFlags& f) {
  Result<std::map<std::string, std::string>> env = ParsePairs(f.env, "--env");
  if (!env.ok()) return Fail(env.status());
  dockerfile::ShellEnv shell_env(env->begin(), env->end());
  dockerfile::ShellLexer lexer;
  for (const auto& word : f.words) {
    Result<std::string> out = lexer.ProcessWord(word, shell_env);
    if (!out.ok()) return Fail(out.status());
    std::cout << *out << "\n";
  }
  return 0;
}

int RunPlan(const DockerfileFlags& f) {
  Result<std::string> content = ReadInput(f.file);
  if (!content.ok()) return Fail(content.status());
  Result<std::map<std::string, std::string>> args = ParsePairs(f.build_args, "--build-arg");
  if (!args.ok()) return Fail(args.status());
  dockerfile::PlanOptions opts;
  opts.filename = f.file;
  opts.build_args = *args;
  opts.target = f.target;
  if (!f.platform.empty()) opts.target_platform = f.platform;
  Result<dockerfile::BuildPlan> plan = dockerfile::ParseAndPlan(*content, opts);
  if (!plan.ok()) return Fail(plan.status());
  std::cout << dockerfile::FormatPlan(*plan);
  return 0;
}

}  // namespace

void AddDockerfileCommands(CLI::App& app, CliContext& ctx) {
  auto flags = std::make_shared<DockerfileFlags>();
  CLI::App* df = app.add_subcommand("dockerfile", "Parse, expand and plan Dockerfiles");
  df->require_subcommand(1);

  CLI::App* parse = df->add_subcommand("parse", "Parse a Dockerfile; --dump prints BuildKit's AST dump");
  parse->add_flag("--dump", flags->dump, "print the parse dump");
  parse->add_option("FILE", flags->file, "the Dockerfile ('-' for stdin)")->required();
  parse->final_callback([&ctx, flags] { ctx.run = [flags] { return RunParse(*flags); }; });

  CLI::App* expand = df->add_subcommand("expand", "Expand words as a Dockerfile instruction would");
  expand->add_option("--env", flags->env, "a variable K=V (repeatable)")
      ->allow_extra_args(false);
  expand->add_option("WORD", flags->words, "words to expand")->required();
  expand->final_callback([&ctx, flags] { ctx.run = [flags] { return RunExpand(*flags); }; });

  CLI::App* plan = df->add_subcommand("plan", "Print the stage graph and every step after expansion");
  plan->add_option("FILE", flags->file, "the Dockerfile ('-' for stdin)")->required();
  plan->add_option("--target", flags->target, "build this stage and what it needs");
  plan->add_option("--build-arg", flags->build_args, "a build argument K=V (repeatable)")
      ->allow_extra_args(false);
  plan->add_option("--platform", flags->platform, "target platform, e.g. linux/amd64");
  plan->final_callback([&ctx, flags] { ctx.run = [flags] { return RunPlan(*flags); }; });
}

}  // namespace strata::cli
