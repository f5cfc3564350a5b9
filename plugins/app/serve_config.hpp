// Where `stagematch serve` takes its settings from: the command line, the environment and a
// configuration file (`--config FILE`), in that order of precedence. The file holds one
// `name = value` per line, `name` being a serve option without its leading `--`
// (`db = postgresql://stagematch@127.0.0.1/stagematch`); a line starting with `#` is a comment,
// a flag is `true` or `false`, a value may be put between double quotes. The environment
// names the same settings STAGEMATCH_ and the name in capitals (`STAGEMATCH_DB`,
// `STAGEMATCH_BASE_URL`). Unknown names and values that cannot be right stop the start with
// `FILE:LINE: message`.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace stagematch {

struct ServeSetting {
  std::string name;   // the option without "--": "db", "listen", "starttls"
  bool flag = false;  // true/false in the file and environment, bare on the command line
  std::string (*check)(const std::string& value) = nullptr;  // "" when fine, else why not
};

// Every option of `serve`, with what a value must look like.
const std::vector<ServeSetting>& serve_settings();

// Why a retention period (years of `retention-years`, 1 to 50) cannot be right, or "".
std::string retention_years_problem(const std::string& value);

// A value and where it was read, for messages: "stagematch.conf:4" or "STAGEMATCH_DB".
struct SettingValue {
  std::string value;
  std::string origin;
};

// The settings from the environment (`lookup`, normally getenv) and the file at `path` (none:
// no file), the environment winning; the command line is laid over by the caller. Problems are
// returned as "ORIGIN: message" lines and then nothing is returned.
struct ConfigRead {
  std::map<std::string, SettingValue> values;  // by option name with "--"
  std::vector<std::string> problems;
};
ConfigRead read_serve_config(const std::optional<std::string>& path,
                             const std::function<const char*(const char*)>& lookup);

}  // namespace stagematch
