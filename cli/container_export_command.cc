#include "cli/container_export_command.h"

#include <stdio.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "cli/container/container_store.h"
#include "cli/container/snapshot_tar.h"
#include "cli/container_command_support.h"
#include "common/file_util.h"

namespace strata::cli {
namespace {

using container::ContainerRecord;
using container::ContainerStore;

struct ExportFlags {
  std::string container, output;
};

int RunExport(const CliContext& ctx, const ExportFlags& f) {
  if (f.output.empty() && isatty(1)) {
    return Fail(Status::InvalidArgument(
        "cowardly refusing to save to a terminal. Use the -o flag or redirect"));
  }
  ContainerStore store(ctx.root);
  Result<ContainerRecord> r = store.Find(f.container);
  if (!r.ok()) return Fail(r.status());
  Result<std::string> tar = container::WriteRootfsTar(store, *r, ctx.root + "/tmp");
  if (!tar.ok()) return Fail(tar.status());
  if (!f.output.empty() && rename(tar->c_str(), AbsolutePath(f.output).c_str()) == 0) return 0;
  std::ifstream in(*tar, std::ios::binary);
  std::ofstream file;
  if (!f.output.empty()) {
    file.open(AbsolutePath(f.output), std::ios::binary | std::ios::trunc);
    if (!file) {
      unlink(tar->c_str());
      return Fail(Status::IOError("cannot write " + f.output));
    }
  }
  std::ostream& out = f.output.empty() ? std::cout : file;
  out << in.rdbuf();
  out.flush();
  unlink(tar->c_str());
  return out ? 0 : Fail(Status::IOError("writing the export failed (disk full?)"));
}

}  // namespace

void AddExportCommand(CLI::App* parent, CliContext& ctx) {
  auto exp = std::make_shared<ExportFlags>();
  CLI::App* e =
      parent->add_subcommand("export", "Export a container's filesystem as a tar archive");
  e->add_option("-o,--output", exp->output, "write to a file instead of stdout");
  e->add_option("CONTAINER", exp->container, "container")->required();
  OnRun(e, ctx, exp, RunExport);
}

}  // namespace strata::cli
