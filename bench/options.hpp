// Command-line options of the benchmark programs: `--name value` pairs, nothing else.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace stagematch::bench {

class Options {
 public:
  // Reads argv[first..]; throws std::invalid_argument for anything that is not `--name value`
  // or names an option outside `known`.
  Options(int argc, char** argv, int first, const std::vector<std::string>& known);

  std::string text(std::string_view name, std::string_view fallback) const;
  // Throws std::invalid_argument when the option is missing.
  std::string required(std::string_view name) const;
  // Throws std::invalid_argument when the value is not an integer in [min, max].
  long long integer(std::string_view name, long long fallback, long long min, long long max) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace stagematch::bench
