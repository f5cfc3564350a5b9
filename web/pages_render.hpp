// Renders the HTML pages from mustache templates in web/templates/, with HTML escaping on for
// every {{value}}. Handlers hand over a Value (objects, lists, text, numbers, booleans); the
// template library stays inside pages_render.cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>

#include "value.hpp"

namespace stagematch {

class PageRenderer {
 public:
  // Reads templates lazily from `dir` (NAME.mustache); files whose name starts with `_` are
  // the partials, included as {{> _name}}.
  explicit PageRenderer(std::filesystem::path dir);

  // Renders NAME.mustache. A null or empty text in `data` counts as false, so {{#key}} skips
  // it (mustache_data.hpp, as for the mails). Throws
  // std::runtime_error when the template is missing or does not parse: a broken deployment.
  std::string render(const std::string& name, const Value& data) const;

 private:
  const std::string& source(const std::string& name) const;
  // NAME's text with its partials put in place.
  std::string expanded(const std::string& name, int depth) const;

  std::uint64_t serial_ = 0;  // tells renderers apart in the per-thread cache of parsed templates
  std::filesystem::path dir_;
  std::set<std::string> partials_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::string> cache_;
};

// Rendered pieces of pages (a table row, a filter form), each kept under a key that names all
// it was made of, so that a piece the next request needs again is not rendered again. At most
// `max_entries` are kept; a full cache starts again empty.
class FragmentCache {
 public:
  explicit FragmentCache(std::size_t max_entries) : max_entries_(max_entries) {}

  std::shared_ptr<const std::string> get(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto found = entries_.find(key);
    return found == entries_.end() ? nullptr : found->second;
  }
  void put(const std::string& key, std::shared_ptr<const std::string> html) {
    std::lock_guard lock(mutex_);
    if (entries_.size() >= max_entries_) entries_.clear();
    entries_.insert_or_assign(key, std::move(html));
  }

 private:
  std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> entries_;
};

}  // namespace stagematch
