#include "pages_render.hpp"

#include <atomic>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

// kainjow's context stack makes g++ 12 -O2 report a null dereference inside std::vector that
// cannot happen (the pointer pushed is the address of a live object); silenced for this file.
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <kainjow/mustache.hpp>

#include "mustache_data.hpp"

namespace stagematch {

namespace {

namespace mustache = kainjow::mustache;

constexpr std::string_view kExtension = ".mustache";

}  // namespace

PageRenderer::PageRenderer(std::filesystem::path dir) : dir_(std::move(dir)) {
  static std::atomic<std::uint64_t> next{1};
  serial_ = next++;
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

std::string PageRenderer::expanded(const std::string& name, int depth) const {
  // kainjow parses a partial anew at every inclusion (each filter field, every page): the
  // partials are put in place as text once, so a page is parsed once as a whole. A partial
  // renders the same either way: it shares the including template's context and line.
  if (depth > 8) throw std::runtime_error("template " + name + ": partials nested too deep");
  const std::string& text = source(name);
  std::string out;
  std::size_t at = 0;
  while (true) {
    std::size_t open = text.find("{{>", at);
    if (open == std::string::npos) break;
    std::size_t close = text.find("}}", open);
    if (close == std::string::npos) break;
    std::string partial = text.substr(open + 3, close - open - 3);
    partial.erase(0, partial.find_first_not_of(' '));
    partial.erase(partial.find_last_not_of(' ') + 1);
    out.append(text, at, open - at);
    // An unknown partial renders nothing, as kainjow renders a partial it cannot find.
    if (partials_.contains(partial)) out += expanded(partial, depth + 1);
    at = close + 2;
  }
  out.append(text, at);
  return out;
}

std::string PageRenderer::render(const std::string& name, const Value& data) const {
  // Parsed once per thread and template (a parsed template is not shared between threads).
  thread_local std::map<std::pair<std::uint64_t, std::string>, std::unique_ptr<mustache::mustache>>
      parsed;
  const auto key = std::pair{serial_, name};
  auto found = parsed.find(key);
  if (found == parsed.end()) {
    auto tmpl = std::make_unique<mustache::mustache>(expanded(name, 0));
    if (!tmpl->is_valid())
      throw std::runtime_error("template " + name + ": " + tmpl->error_message());
    found = parsed.emplace(key, std::move(tmpl)).first;
  }
  mustache::data root = mustache_data(data);
  if (!root.is_object()) throw std::runtime_error("template " + name + ": data is geen object");
  std::string html = found->second->render(root);
  if (!found->second->is_valid()) {
    std::string message = found->second->error_message();
    parsed.erase(found);
    throw std::runtime_error("template " + name + ": " + message);
  }
  return html;
}

}  // namespace stagematch
