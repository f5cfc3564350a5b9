#include "web_root.hpp"

#include <algorithm>
#include <system_error>

namespace stagematch {

namespace {

// Every page starts with this partial; without it no page can be shown.
bool has_templates(const std::filesystem::path& root) {
  std::error_code ec;
  return std::filesystem::is_regular_file(root / "templates" / "_top.mustache", ec);
}

std::filesystem::path absolute(const std::filesystem::path& p, const std::filesystem::path& cwd) {
  return (p.is_absolute() ? p : cwd / p).lexically_normal();
}

}  // namespace

std::vector<std::filesystem::path> web_root_candidates(const std::filesystem::path& program,
                                                       const std::filesystem::path& cwd) {
  std::vector<std::filesystem::path> out;
  if (!program.empty()) {
    const std::filesystem::path bindir = program.parent_path();
    out.push_back((bindir / ".." / "web").lexically_normal());
    out.push_back((bindir / "web").lexically_normal());
    out.push_back((bindir / ".." / "share" / "stagematch" / "web").lexically_normal());
  }
  const std::filesystem::path here = (cwd / "web").lexically_normal();
  if (std::find(out.begin(), out.end(), here) == out.end()) out.push_back(here);
  return out;
}

std::expected<std::filesystem::path, std::string> find_web_root(
    const std::string& given, const std::filesystem::path& program,
    const std::filesystem::path& cwd) {
  if (!given.empty()) {
    const std::filesystem::path root = absolute(given, cwd);
    if (has_templates(root)) return root;
    return std::unexpected("--web-root " + given + ": geen sjablonen gevonden in " +
                           (root / "templates").string() +
                           " (de web root is de map met templates/ en static/); de server "
                           "start niet");
  }
  std::string tried;
  for (const auto& root : web_root_candidates(program, cwd)) {
    if (has_templates(root)) return root;
    tried += (tried.empty() ? "" : ", ") + root.string();
  }
  return std::unexpected("geen sjablonen gevonden (gezocht in " + tried +
                         "); geef de map met templates/ en static/ met --web-root MAP; de "
                         "server start niet");
}

std::filesystem::path program_path() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : self;
}

}  // namespace stagematch
