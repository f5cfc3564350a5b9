// The `stagematch` program: the built-in plugins registered and frozen, then the command line.
#include <string>
#include <vector>

#include "builtin.hpp"
#include "cli.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  stagematch::PluginRegistry plugins;
  stagematch::register_builtin_plugins(plugins);
  plugins.freeze();
  return stagematch::run_cli(args, plugins);
}
