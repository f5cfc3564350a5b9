// The built-in plugins for tests that build the web app themselves, registered and frozen once
// per test program as `stagematch serve` does at start-up.
#pragma once

#include "builtin.hpp"

namespace stagematch::testing {

inline const PluginRegistry& builtin_plugins() {
  static const PluginRegistry registry = [] {
    PluginRegistry r;
    register_builtin_plugins(r);
    r.freeze();
    return r;
  }();
  return registry;
}

}  // namespace stagematch::testing
