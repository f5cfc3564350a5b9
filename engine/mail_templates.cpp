#include "mail_templates.hpp"

#include <algorithm>
#include <expected>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "mustache_data.hpp"

namespace stagematch {

namespace {

namespace mustache = kainjow::mustache;

constexpr std::string_view kSubjectPrefix = "Subject:";

// One mail's templates as read from disk: the subject line, the text body, the HTML body.
struct Sources {
  std::string subject;
  std::string text;
  std::string html;
};

std::filesystem::path text_file(const std::filesystem::path& dir, const std::string& name) {
  return dir / (name + ".txt.mustache");
}

std::filesystem::path html_file(const std::filesystem::path& dir, const std::string& name) {
  return dir / (name + ".html.mustache");
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Files edited on Windows keep working: CR LF becomes LF.
std::string without_cr(std::string s) {
  std::erase(s, '\r');
  return s;
}

// Splits a text template into its subject template and body template, or says what is wrong.
std::expected<std::pair<std::string, std::string>, std::string> split_text(
    const std::string& source) {
  auto end = source.find('\n');
  std::string first = source.substr(0, end);
  if (!first.starts_with(kSubjectPrefix))
    return std::unexpected("de eerste regel begint niet met \"Subject:\"");
  std::string subject = first.substr(kSubjectPrefix.size());
  if (subject.find_first_not_of(" \t") == std::string::npos)
    return std::unexpected("het onderwerp (regel 1) is leeg");
  if (end == std::string::npos || source.compare(end + 1, 1, "\n") != 0)
    return std::unexpected("regel 2 moet leeg zijn (tussen onderwerp en tekst)");
  return std::pair{subject, source.substr(end + 2)};
}

// Marks where a standalone tag line was; removed from the output after rendering.
constexpr char kJoined = '\x01';

// The mustache rule for "standalone" lines, applied before kainjow sees the template: a line
// holding nothing but one section, inverted-section, end or comment tag ("{{#late}}") leaves
// no trace in the output, neither its indentation nor its line break. kainjow 4.1 keeps the
// line break of a section it skips, which would leave a stray empty line for every optional
// part left out; so such a tag is joined to the next line, followed by a marker that keeps
// kainjow's own (inconsistent) standalone handling away from it.
std::string join_standalone_lines(const std::string& source) {
  std::string out;
  out.reserve(source.size());
  std::size_t pos = 0;
  while (pos < source.size()) {
    auto end = source.find('\n', pos);
    bool has_newline = end != std::string::npos;
    std::string_view line(source.data() + pos, (has_newline ? end : source.size()) - pos);
    auto first = line.find_first_not_of(" \t");
    auto last = line.find_last_not_of(" \t");
    std::string_view tag =
        first == std::string_view::npos ? std::string_view() : line.substr(first, last - first + 1);
    bool standalone = tag.size() > 5 && tag.starts_with("{{") && tag.ends_with("}}") &&
                      std::string_view("#^/!").find(tag[2]) != std::string_view::npos &&
                      tag.find("}}") == tag.size() - 2;
    if (standalone) {
      out += tag;
      out += kJoined;
    } else {
      out += line;
      if (has_newline) out += '\n';
    }
    pos = has_newline ? end + 1 : source.size();
  }
  return out;
}

std::string name_list() {
  std::string out;
  for (const auto& n : MailTemplates::names()) out += (out.empty() ? "" : ", ") + n;
  return out;
}

Sources load(const std::filesystem::path& dir, const std::string& name) {
  const auto& names = MailTemplates::names();
  if (std::find(names.begin(), names.end(), name) == names.end())
    throw std::runtime_error("onbekende mail '" + name + "' (bekend: " + name_list() + ")");
  auto text = read_file(text_file(dir, name));
  if (!text) throw std::runtime_error(text_file(dir, name).string() + ": bestand ontbreekt");
  auto html = read_file(html_file(dir, name));
  if (!html) throw std::runtime_error(html_file(dir, name).string() + ": bestand ontbreekt");
  auto parts = split_text(without_cr(*text));
  if (!parts) throw std::runtime_error(text_file(dir, name).string() + ": " + parts.error());
  return Sources{std::move(parts->first), join_standalone_lines(parts->second),
                 join_standalone_lines(without_cr(*html))};
}

// Renders one part of a mail. The files are read on every mail (an edited template counts from
// the next mail on), but a text already parsed is not parsed again: a round that opens writes a
// mail to every service at once. Kept per thread (a parsed template is not shared between
// threads), under the text itself, so an edited file is parsed anew.
std::string render(const std::string& name, const std::string& part, const std::string& source,
                   const mustache::data& data) {
  constexpr std::size_t kMaxParsed = 64;
  thread_local std::unordered_map<std::string, std::unique_ptr<mustache::mustache>> parsed;
  auto found = parsed.find(source);
  if (found == parsed.end()) {
    auto tmpl = std::make_unique<mustache::mustache>(source);
    if (!tmpl->is_valid())
      throw std::runtime_error("mail '" + name + "' (" + part + "): " + tmpl->error_message());
    if (parsed.size() >= kMaxParsed) parsed.clear();
    found = parsed.emplace(source, std::move(tmpl)).first;
  }
  std::string out = found->second->render(data);
  if (!found->second->is_valid()) {
    std::string message = found->second->error_message();
    parsed.erase(found);
    throw std::runtime_error("mail '" + name + "' (" + part + "): " + message);
  }
  std::erase(out, kJoined);
  return out;
}

Value sample(const std::string& name, const Links& links) {
  const Object round{{"track", "secundair"},
                     {"track_label", "Secundair onderwijs (7de jaar verzorgende-zorgkundige)"},
                     {"year", "2025-2026"},
                     {"round", "ronde2"},
                     {"round_label", "Ronde 2 (voorkeur)"},
                     {"opens", "05/09/2025 12:00"},
                     {"closes", "19/09/2025 12:00"},
                     {"at", "05/09/2025 12:00"},
                     {"late", false},
                     {"planned", "05/09/2025 12:00"},
                     {"organisation", "Thuiszorg Zoë & Co"},
                     {"link", links.service_requests("secundair")}};
  auto with = [&round](std::initializer_list<std::pair<const std::string, Value>> extra) {
    Object o = round;
    for (const auto& [k, v] : extra) o[k] = v;
    return Value(std::move(o));
  };
  if (name == "activation")
    return Object{{"organisation", "Sint-Jozefinstituut Genk"},
                  {"email", "els.peeters@example.be"},
                  {"link", links.activation("voorbeeld")},
                  {"expires", "12/09/2025 12:00"}};
  if (name == "activation_again" || name == "password_reset")
    return Object{{"organisation", "Sint-Jozefinstituut Genk"},
                  {"link", name == "password_reset" ? links.password_reset("voorbeeld")
                                                    : links.activation("voorbeeld")},
                  {"expires", "12/09/2025 12:00"}};
  if (name == "round_opens")
    return with({{"message",
                  "De ronde 'Ronde 2 (voorkeur)' start op 05/09/2025 12:00 en loopt tot "
                  "19/09/2025 12:00. Diensten zien enkel studenten uit hun provincie(s) die hen "
                  "als voorkeursdienst kozen. Diensten kunnen statussen instellen."}});
  if (name == "round_closing_soon")
    return with({{"message",
                  "De ronde 'Ronde 2 (voorkeur)' sluit over 2 dagen, op 19/09/2025 12:00. "
                  "Diensten: geef je beslissingen tijdig in de tool in."}});
  if (name == "round_closes")
    return with({{"message",
                  "De ronde 'Ronde 2 (voorkeur)' is afgesloten op 19/09/2025 12:00. De volgende "
                  "ronde 'Ronde 3 (open)' start op 19/09/2025 12:00."},
                 {"next_round_label", "Ronde 3 (open)"},
                 {"next_opens", "19/09/2025 12:00"}});
  if (name == "reminder")
    return with({{"count", 12},
                 {"service_name", "Thuiszorg Zoë & Co"},
                 {"organisation", nullptr},
                 {"message",
                  "De ronde 'Ronde 2 (voorkeur)' loopt nog tot 19/09/2025 12:00. Bekijk de "
                  "aanvragen die nog open staan en geef je beslissingen in de tool in."}});
  if (name == "results_visible")
    return with({{"organisation", "Sint-Jozefinstituut Genk"},
                 {"link", links.school_requests("secundair")},
                 {"message",
                  "Vanaf 07/10/2026 12:00 zien de scholen de antwoorden van de diensten op alle "
                  "ingediende stageaanvragen."}});
  if (name == "student_accepted")
    return Object{{"organisation", "Sint-Jozefinstituut Genk"},
                  {"track_label", "Secundair onderwijs (7de jaar verzorgende-zorgkundige)"},
                  {"student", "Zoë Ağaoğlu"},
                  {"service", "Thuiszorg Zoë & Co"},
                  {"mentor", "Marie Dubois"},
                  {"periods", Array{"01/10/2025 – 31/12/2025", "05/01/2026 – 27/03/2026"}},
                  {"notes", "Start op maandag om 8 uur."},
                  {"link", links.school_requests("secundair")}};
  if (name == "acceptance_undone_service" || name == "acceptance_undone_school")
    return Object{
        {"organisation",
         name == "acceptance_undone_service" ? "Thuiszorg Zoë & Co" : "Sint-Jozefinstituut Genk"},
        {"track_label", "Secundair onderwijs (7de jaar verzorgende-zorgkundige)"},
        {"student", "Zoë Ağaoğlu"},
        {"service", "Thuiszorg Zoë & Co"},
        {"school", "Sint-Jozefinstituut Genk"},
        {"reason", "De dienst aanvaardde de verkeerde student."},
        {"link", name == "acceptance_undone_service" ? links.service_requests("secundair")
                                                     : links.school_requests("secundair")}};
  return Value();
}

}  // namespace

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n' || c == '\t') {
      pending_space = true;
    } else if (u < 0x20 || u == 0x7f) {
      continue;
    } else {
      if (pending_space && !out.empty() && out.back() != ' ' && c != ' ') out += ' ';
      pending_space = false;
      out += c;
    }
  }
  auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

MailTemplates::MailTemplates(std::filesystem::path dir, std::string sender,
                             std::shared_ptr<const Links> links)
    : dir_(std::move(dir)), sender_(std::move(sender)), links_(std::move(links)) {
  if (!links_) throw std::invalid_argument("MailTemplates: links ontbreken");
}

const std::vector<std::string>& MailTemplates::names() {
  static const std::vector<std::string> kNames = {
      "activation",
      "activation_again",
      "password_reset",
      "round_opens",
      "round_closing_soon",
      "round_closes",
      "reminder",
      "results_visible",
      "student_accepted",
      "acceptance_undone_service",
      "acceptance_undone_school",
  };
  return kNames;
}

Value MailTemplates::sample_data(const std::string& template_name) const {
  return sample(template_name, *links_);
}

OutboxMail MailTemplates::compose(const std::string& template_name, const Value& data,
                                  const std::string& to) const {
  Sources sources = load(dir_, template_name);

  mustache::data view =
      data.is_object() ? mustache_data(data) : mustache::data(mustache::data::type::object);
  const std::string base_url = links_->site();
  view.set("base_url", base_url);
  if (data["link"].is_string() && data["link"].as_string().starts_with('/'))
    view.set("link", base_url + data["link"].as_string());
  if (data["count"].is_number()) view.set("count_one", data["count"].as_number() == 1);

  OutboxMail mail;
  mail.to_address = one_line(to);
  mail.subject = one_line(render(template_name, "onderwerp", sources.subject, view));
  if (mail.subject.empty())
    throw std::runtime_error("mail '" + template_name + "': het onderwerp is leeg");
  mail.body_text = render(template_name, "tekst", sources.text, view);
  view.set("subject", mail.subject);
  mail.body_html = render(template_name, "html", sources.html, view);
  return mail;
}

std::vector<std::string> MailTemplates::check() const {
  std::vector<std::string> problems;
  auto syntax = [&problems](const std::filesystem::path& file, const std::string& source) {
    mustache::mustache tmpl(source);
    if (!tmpl.is_valid()) problems.push_back(file.string() + ": " + tmpl.error_message());
  };
  for (const auto& name : names()) {
    auto txt_path = text_file(dir_, name);
    auto html_path = html_file(dir_, name);
    if (auto text = read_file(txt_path)) {
      auto parts = split_text(without_cr(*text));
      if (!parts) {
        problems.push_back(txt_path.string() + ": " + parts.error());
      } else {
        syntax(txt_path, parts->first);
        syntax(txt_path, parts->second);
      }
    } else {
      problems.push_back(txt_path.string() + ": bestand ontbreekt");
    }
    if (auto html = read_file(html_path)) {
      syntax(html_path, without_cr(*html));
    } else {
      problems.push_back(html_path.string() + ": bestand ontbreekt");
    }
  }
  return problems;
}

}  // namespace stagematch
