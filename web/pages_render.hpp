// Renders the HTML pages from mustache templates in web/templates/, with HTML escaping on for
// every {{value}}. Handlers hand over a Value (objects, lists, text, numbers, booleans); the
// template library stays inside pages_render.cpp.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "value.hpp"

namespace stagematch {

class PageRenderer {
 public:
  // Reads templates lazily from `dir` (NAME.mustache); files whose name starts with `_` are
  // the partials, included as {{> _name}}.
  explicit PageRenderer(std::filesystem::path dir);

  // Renders NAME.mustache. A null in `data` counts as false, so {{#key}} skips it. Throws
  // std::runtime_error when the template is missing or does not parse: a broken deployment.
  std::string render(const std::string& name, const Value& data) const;

 private:
  const std::string& source(const std::string& name) const;

  std::filesystem::path dir_;
  std::set<std::string> partials_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::string> cache_;
};

}  // namespace stagematch
