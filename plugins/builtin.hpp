// The plugins that come with Stagematch, registered in one call list.
#pragma once

#include "registry.hpp"

namespace stagematch {

// Registers every built-in plugin: the stores sqlite, postgresql and postgres (one plugin, both
// schemes), the mailers maildrop and smtp, and the export formats csv and xlsx. Call it once,
// before freeze().
void register_builtin_plugins(PluginRegistry& registry);

}  // namespace stagematch
