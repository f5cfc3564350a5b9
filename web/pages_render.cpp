#include "pages_render.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

// kainjow's context stack makes g++ 12 -O2 report a null dereference inside std::vector that
// cannot happen (the pointer pushed is the address of a live object); silenced for this file.
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <kainjow/mustache.hpp>

namespace stagematch {

namespace {

namespace mustache = kainjow::mustache;

constexpr std::string_view kExtension = ".mustache";

mustache::data to_data(const Value& v) {
  if (v.is_null()) return mustache::data(false);
  if (v.is_bool()) return mustache::data(v.as_bool());
  if (v.is_int()) return mustache::data(std::to_string(v.as_int()));
  if (v.is_number()) {
    std::ostringstream out;
    out << v.as_number();
    return mustache::data(out.str());
  }
  if (v.is_string()) return mustache::data(v.as_string());
  if (v.is_array()) {
    mustache::data list(mustache::data::type::list);
    for (const auto& item : v.as_array()) list.push_back(to_data(item));
    return list;
  }
  mustache::data object(mustache::data::type::object);
  for (const auto& [key, item] : v.as_object()) object.set(key, to_data(item));
  return object;
}

}  // namespace

PageRenderer::PageRenderer(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string file = entry.path().filename().string();
    if (file.starts_with('_') && file.ends_with(kExtension))
      partials_.insert(file.substr(0, file.size() - kExtension.size()));
  }
}

const std::string& PageRenderer::source(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto found = cache_.find(name);
  if (found != cache_.end()) return found->second;
  std::ifstream in(dir_ / (name + std::string(kExtension)), std::ios::binary);
  if (!in) throw std::runtime_error("template ontbreekt: " + (dir_ / name).string());
  std::ostringstream text;
  text << in.rdbuf();
  return cache_.emplace(name, text.str()).first->second;
}

std::string PageRenderer::render(const std::string& name, const Value& data) const {
  mustache::mustache tmpl(source(name));
  if (!tmpl.is_valid()) throw std::runtime_error("template " + name + ": " + tmpl.error_message());
  mustache::data root = to_data(data);
  if (!root.is_object()) throw std::runtime_error("template " + name + ": data is geen object");
  for (const auto& partial : partials_)
    root.set(partial, mustache::partial([this, partial] { return source(partial); }));
  std::string html = tmpl.render(root);
  if (!tmpl.is_valid()) throw std::runtime_error("template " + name + ": " + tmpl.error_message());
  return html;
}

}  // namespace stagematch
