// Where `stagematch serve` finds the pages' templates and static files: the web root, a folder
// holding templates/ and static/.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace stagematch {

// The folders tried, in order, when no web root is given: web/ next to the program's folder
// (<bindir>/../web: an installation such as /opt/stagematch/bin/stagematch with
// /opt/stagematch/web, or build/stagematch in a source tree), <bindir>/web,
// <bindir>/../share/stagematch/web, then `cwd`/web.
std::vector<std::filesystem::path> web_root_candidates(const std::filesystem::path& program,
                                                       const std::filesystem::path& cwd);

// `given` (--web-root, web-root in --config, STAGEMATCH_WEB_ROOT) when not empty, else the first
// candidate that holds the templates; as an absolute path. A Dutch message when the folder has
// no templates: the server does not start rather than answer every page with an error.
std::expected<std::filesystem::path, std::string> find_web_root(
    const std::string& given, const std::filesystem::path& program,
    const std::filesystem::path& cwd);

// This program's own file (/proc/self/exe); empty when the system does not say.
std::filesystem::path program_path();

}  // namespace stagematch
