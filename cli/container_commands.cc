#include "cli/container_commands.h"

#include "cli/container_commit_command.h"
#include "cli/container_exec_command.h"
#include "cli/container_export_command.h"
#include "cli/container_inspect_command.h"
#include "cli/container_lifecycle_commands.h"
#include "cli/container_list_command.h"
#include "cli/container_logs_command.h"
#include "cli/container_monitor_command.h"
#include "cli/container_run_command.h"

namespace strata::cli {

void AddContainerCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* container = app.add_subcommand("container", "Manage containers");
  container->require_subcommand(1);
  AddRunCommand(container, ctx);
  AddExecCommand(container, ctx);
  AddContainerInspectCommand(container, ctx);
  AddContainerListCommand(container, "ls", ctx);
  container->get_subcommand("ls")->alias("list")->alias("ps");
  AddLifecycleCommands(container, ctx);
  AddLogsCommand(container, ctx);
  AddCommitCommand(container, ctx);
  AddExportCommand(container, ctx);

  AddMonitorCommand(container, ctx);

  AddRunCommand(&app, ctx);
  AddExecCommand(&app, ctx);
  AddContainerListCommand(&app, "ps", ctx);
  AddLifecycleCommands(&app, ctx);
  AddLogsCommand(&app, ctx);
  AddCommitCommand(&app, ctx);
  AddExportCommand(&app, ctx);
}

}  // namespace strata::cli
