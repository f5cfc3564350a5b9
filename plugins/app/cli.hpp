// The `stagematch` command line: serve, check, simulate.
#pragma once

#include <string>
#include <vector>

namespace stagematch {

// Runs one subcommand; returns the process exit code.
int run_cli(const std::vector<std::string>& args);

}  // namespace stagematch
