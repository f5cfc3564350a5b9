// The `stagematch` command line: serve, demo, admin, backup, check, simulate.
#pragma once

#include <string>
#include <vector>

#include "registry.hpp"

namespace stagematch {

// Runs one subcommand with the stores and mailers of `plugins` (frozen); returns the process
// exit code.
int run_cli(const std::vector<std::string>& args, const PluginRegistry& plugins);

}  // namespace stagematch
