#include "serve_config.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace stagematch {

namespace {

bool is_number(const std::string& v) {
  return !v.empty() && v.size() <= 6 &&
         std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string any_text(const std::string& v) { return v.empty() ? "verwacht een waarde" : ""; }

std::string host_port(const std::string& v) {
  auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0 || !is_number(v.substr(colon + 1)) ||
      std::stoi(v.substr(colon + 1)) > 65535)
    return "verwacht HOST:POORT, bv. 127.0.0.1:8080";
  return "";
}

std::string store_url(const std::string& v) {
  if (v.rfind("sqlite:", 0) == 0 && v.size() > 7) return "";
  if (v.rfind("postgresql://", 0) == 0 || v.rfind("postgres://", 0) == 0) return "";
  return "verwacht sqlite:PAD of postgresql://gebruiker@host:poort/databank";
}

std::string web_url(const std::string& v) {
  if ((v.rfind("http://", 0) == 0 && v.size() > 7) || (v.rfind("https://", 0) == 0 && v.size() > 8))
    return "";
  return "verwacht een adres dat begint met http:// of https://";
}

std::string workers(const std::string& v) {
  if (!is_number(v) || std::stoi(v) < 1 || std::stoi(v) > 256)
    return "verwacht een getal van 1 tot 256";
  return "";
}

std::string seconds_to_wait(const std::string& v) {
  if (!is_number(v) || v.size() > 5 || std::stoi(v) > 3600)
    return "verwacht een aantal seconden van 0 tot 3600";
  return "";
}

std::string iso_time(const std::string& v) {
  return v.size() >= 19 && v[10] == 'T' ? "" : "verwacht bv. 2025-06-01T00:00:00+02:00";
}

std::string one_line(const std::string& v) {
  if (v.empty()) return "verwacht een waarde";
  return v.find_first_of("\r\n\t") == std::string::npos ? ""
                                                        : "mag geen regeleinde of tab bevatten";
}

std::string trim(std::string s) {
  auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  s.erase(s.begin(), std::find_if_not(s.begin(), s.end(), space));
  s.erase(std::find_if_not(s.rbegin(), s.rend(), space).base(), s.end());
  return s;
}

// "true"/"false" (also ja/nee, 1/0) to "1" or "", or nullopt when it is neither.
std::optional<bool> truth(const std::string& v) {
  std::string l = v;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  if (l == "true" || l == "ja" || l == "1" || l == "yes") return true;
  if (l == "false" || l == "nee" || l == "0" || l == "no") return false;
  return std::nullopt;
}

std::string env_name(const std::string& name) {
  std::string out = "STAGEMATCH_";
  for (char c : name)
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

const ServeSetting* find_setting(const std::string& name) {
  for (const auto& s : serve_settings())
    if (s.name == name) return &s;
  return nullptr;
}

// Checks one value and stores it under "--name"; a flag that is false is left out.
void take(const ServeSetting& s, const std::string& value, const std::string& origin,
          ConfigRead& out) {
  if (s.flag) {
    auto on = truth(value);
    if (!on) {
      out.problems.push_back(origin + ": " + s.name + " verwacht true of false");
      return;
    }
    if (*on) out.values["--" + s.name] = {"1", origin};
    return;
  }
  if (std::string why = s.check ? s.check(value) : ""; !why.empty()) {
    out.problems.push_back(origin + ": " + s.name + " " + why);
    return;
  }
  out.values["--" + s.name] = {value, origin};
}

}  // namespace

std::string retention_years_problem(const std::string& v) {
  if (!is_number(v) || std::stoi(v) < 1 || std::stoi(v) > 50)
    return "verwacht een aantal jaren van 1 tot 50";
  return "";
}

const std::vector<ServeSetting>& serve_settings() {
  static const std::vector<ServeSetting> kList = {
      {"db", false, store_url},
      {"db-wait", false, seconds_to_wait},
      {"listen", false, host_port},
      {"workflows", false, any_text},
      {"rules", false, any_text},
      {"mail-templates", false, any_text},
      {"smtp", false, host_port},
      {"starttls", true, nullptr},
      {"base-url", false, web_url},
      {"sender", false, one_line},
      {"test-clock", true, nullptr},
      {"test-clock-start", false, iso_time},
      {"workers", false, workers},
      {"trusted-proxy", false, one_line},
      {"helpdesk-email", false, one_line},
      {"helpdesk-phone", false, one_line},
      {"helpdesk-hours", false, one_line},
      {"info-url", false, web_url},
      {"web-root", false, any_text},
      // Privacy: how long personal data is kept after its school year, and the privacy page.
      {"retention-years", false, retention_years_problem},
      {"privacy-page", false, any_text},
  };
  return kList;
}

ConfigRead read_serve_config(const std::optional<std::string>& path,
                             const std::function<const char*(const char*)>& lookup) {
  ConfigRead out;
  if (path) {
    std::ifstream in(*path);
    if (!in) {
      out.problems.push_back(*path + ": kan dit configuratiebestand niet lezen");
      return out;
    }
    std::string line;
    std::map<std::string, int> seen;
    for (int number = 1; std::getline(in, line); ++number) {
      const std::string origin = *path + ":" + std::to_string(number);
      line = trim(line);
      if (line.empty() || line.front() == '#') continue;  // a '#' inside a value is kept
      auto eq = line.find('=');
      if (eq == std::string::npos) {
        out.problems.push_back(origin + ": verwacht naam = waarde");
        continue;
      }
      std::string name = trim(line.substr(0, eq));
      std::string value = trim(line.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      const ServeSetting* s = find_setting(name);
      if (!s) {
        out.problems.push_back(origin + ": onbekende instelling '" + name + "'");
        continue;
      }
      if (auto [it, fresh] = seen.emplace(name, number); !fresh) {
        out.problems.push_back(origin + ": '" + name + "' staat al op regel " +
                               std::to_string(it->second));
        continue;
      }
      take(*s, value, origin, out);
    }
  }
  for (const auto& s : serve_settings()) {
    const std::string name = env_name(s.name);
    const char* value = lookup(name.c_str());
    if (!value) continue;
    out.values.erase("--" + s.name);  // the environment wins over the file, also a false flag
    take(s, value, name, out);
  }
  if (!out.problems.empty()) out.values.clear();
  return out;
}

}  // namespace stagematch
