#include "options.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace stagematch::bench {

Options::Options(int argc, char** argv, int first, const std::vector<std::string>& known) {
  for (int i = first; i < argc; i += 2) {
    std::string_view arg = argv[i];
    if (!arg.starts_with("--") || i + 1 >= argc)
      throw std::invalid_argument("expected --name value, got '" + std::string(arg) + "'");
    std::string name(arg.substr(2));
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw std::invalid_argument("unknown option --" + name);
    values_[name] = argv[i + 1];
  }
}

std::string Options::text(std::string_view name, std::string_view fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string(fallback) : it->second;
}

std::string Options::required(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::invalid_argument("missing --" + std::string(name));
  return it->second;
}

long long Options::integer(std::string_view name, long long fallback, long long min,
                           long long max) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  const std::string& s = it->second;
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max) {
    throw std::invalid_argument("--" + std::string(name) + " expects an integer in [" +
                                std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v;
}

}  // namespace stagematch::bench
