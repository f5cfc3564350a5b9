#include "pages_privacy.hpp"

#include <sstream>

#include "pages_form.hpp"

namespace stagematch {

namespace {

// What the privacy page says when the configuration names no text.
constexpr const char* kDefaultPolicy =
    "# Privacy\n\nStagematch bewaart de gegevens van leerlingen en cursisten enkel om hen een "
    "stageplaats te helpen vinden. Vragen over je gegevens stel je aan de helpdesk.";

// The policy text as blocks: a line "# Titel" is a heading, other text between blank lines a
// paragraph. Escaped by the template like every other text.
Array policy_blocks(const std::string& text) {
  Array out;
  std::istringstream in(text);
  std::string line;
  std::string paragraph;
  auto flush = [&] {
    if (!paragraph.empty()) out.push_back(Object{{"paragraph", paragraph}});
    paragraph.clear();
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string t = trim(line);
    if (t.empty()) {
      flush();
    } else if (t.starts_with("# ")) {
      flush();
      out.push_back(Object{{"heading", trim(t.substr(2))}});
    } else {
      paragraph += (paragraph.empty() ? "" : " ") + t;
    }
  }
  flush();
  return out;
}

// A stored value for reading: text as it is, lists joined, anything else as JSON.
std::string shown(const Value& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.as_string();
  if (v.is_array()) {
    std::string out;
    for (const Value& item : v.as_array())
      out += (out.empty() ? "" : ", ") + (item.is_string() ? item.as_string() : item.to_json());
    return out;
  }
  return v.to_json();
}

// A row of the partial _request_sections: a label and its lines.
Object row(const std::string& label, const std::string& value) {
  return Object{{"label", label}, {"lines", Array{Value(value)}}};
}

std::string contact_text(const Value& c) {
  if (!c.is_object()) return "";
  return shown(c["name"]) + " (" + shown(c["phone"]) + ", " + shown(c["email"]) + ")";
}

// One request of the subject access answer for the page: its fields laid out as every request
// page does (with any stored field the track no longer names after them), then what the
// request holds besides: school, registration, acceptance, mentor and notes.
Value request_view(const DefinitionSet& defs, const std::vector<Organisation>& services,
                   const Value& r) {
  const Workflow* workflow = defs.workflow(shown(r["track"]));
  Object item = r["fields"].is_object() ? r["fields"].as_object() : Object{};
  item["school_contact"] = r["school_contact"];
  Array sections = workflow ? request_display(*workflow, Value(item), services) : Array{};
  Array other;
  for (const auto& [id, value] : item)
    if (id != "school_contact" && (!workflow || !workflow->field(id)))
      other.push_back(row(id, shown(value)));
  if (!other.empty())
    sections.push_back(Object{{"heading", "Andere opgeslagen velden"}, {"rows", std::move(other)}});
  const bool stopped = shown(r["state"]) == request_state::kStopped;
  sections.push_back(
      Object{{"heading", "Inschrijving en aanvaarding"},
             {"rows", Array{row("School", shown(r["school"]["name"])),
                            row("Ingeschreven op", instant_nl(shown(r["registered_at"]))),
                            row("Toestand", stopped ? "gestopt" : "actief"),
                            row("Aanvaard door", shown(r["accepted_by"]["name"])),
                            row("Aanvaard op", instant_nl(shown(r["accepted_at"]))),
                            row("Stagementor", contact_text(r["mentor"])),
                            row("Notities van de dienst", shown(r["notes"]))}}});
  auto status = [workflow](const Value& code) {
    return workflow ? status_label(*workflow, shown(code)) : shown(code);
  };
  auto lines = [](const Value& list, auto fn) {
    Array out;
    if (list.is_array())
      for (const Value& entry : list.as_array()) out.push_back(fn(entry));
    return out;
  };
  return Object{
      {"id", r["id"]},
      {"track", workflow && !workflow->label.empty() ? workflow->label : shown(r["track"])},
      {"year", r["year"]},
      {"sections", std::move(sections)},
      {"statuses", lines(r["statuses"],
                         [&status](const Value& s) {
                           return Object{{"service", s["service"]},
                                         {"status", status(s["status"])},
                                         {"changed_at", instant_nl(shown(s["changed_at"]))}};
                         })},
      {"counts", lines(r["status_counts"],
                       [&status](const Value& c) {
                         return Object{{"service", c["service"]},
                                       {"status", status(c["status"])},
                                       {"count", c["count"]}};
                       })},
      {"history", lines(r["history"],
                        [&status](const Value& h) {
                          return Object{{"at", instant_nl(shown(h["at"]))},
                                        {"service", h["service"]},
                                        {"from", status(h["from"])},
                                        {"to", status(h["to"])},
                                        {"reason", h["reason"]}};
                        })},
      {"audit", lines(r["audit"],
                      [](const Value& a) {
                        return Object{{"at", instant_nl(shown(a["at"]))},
                                      {"actor", a["actor"]},
                                      {"action", a["action"]},
                                      {"detail", a["detail"]}};
                      })},
      {"mails", lines(r["mails"], [](const Value& m) {
         return Object{{"to", m["to"]},
                       {"subject", m["subject"]},
                       {"state", m["state"]},
                       {"created_at", instant_nl(shown(m["created_at"]))},
                       {"body", m["body_text"]}};
       })}};
}

}  // namespace

HttpResponse PrivacyPages::policy(HttpRequest& req) const {
  const PrivacySettings& settings = kit_.services().engine.privacy.settings();
  Array erased;
  for (const auto& item : Privacy::erased_data()) erased.emplace_back(item);
  Array blocks = policy_blocks(settings.policy_text.empty() ? std::string(kDefaultPolicy)
                                                            : settings.policy_text);
  // The text's first heading is the page's; without one the page is called "Privacy".
  std::string title = "Privacy";
  if (!blocks.empty() && blocks.front()["heading"].is_string()) {
    title = blocks.front()["heading"].as_string();
    blocks.erase(blocks.begin());
  }
  return kit_.page(req, 200, "privacy", title,
                   Object{{"heading", title},
                          {"blocks", std::move(blocks)},
                          {"retention_years", settings.retention_years},
                          {"erased", std::move(erased)}});
}

HttpResponse PrivacyPages::form(HttpRequest& req) const {
  return admin_page(req, 200, "", "", "", "", "");
}

HttpResponse PrivacyPages::admin_page(const HttpRequest& req, int status, const std::string& number,
                                      const std::string& number_error, const std::string& reason,
                                      const std::string& reason_error,
                                      const std::string& notice) const {
  Value found;
  std::string error = number_error;
  if (!number.empty() && error.empty()) {
    auto answer = kit_.services().engine.privacy.subject_access(req.actor(), number);
    if (!answer && answer.error().fields.empty())
      return kit_.refused(req, answer.error(), "/admin");
    if (answer) {
      auto defs = kit_.definitions();
      const auto services = kit_.services().engine.organisations.list("service");
      Array requests;
      for (const Value& r : (*answer)["requests"].as_array())
        requests.push_back(request_view(*defs, services, r));
      const std::size_t count = requests.size();
      found = Object{
          {"requests", std::move(requests)},
          {"count", count == 1 ? std::string("1 aanvraag") : std::to_string(count) + " aanvragen"},
          {"any", count > 0}};
    } else {
      error = answer.error().fields.begin()->second;
      status = 422;
    }
  }
  Array fields{input_field({"rijksregisternummer", "Rijksregisternummer", true,
                            "Alle 11 cijfers, met of zonder punten en streepje.", error, ""},
                           "text", number,
                           Object{{"autocomplete", "off"}, {"inputmode", "numeric"}})};
  Array reason_fields{
      textarea_field({"reden", "Reden", true,
                      "Bv. het verzoek van de leerling, met datum en kanaal.", reason_error, ""},
                     reason, 3)};
  return kit_.page(
      req, status, "admin_privacy", "Privacy: gegevens van een leerling",
      Object{{"fields", std::move(fields)},
             {"number", number},
             {"found", found},
             {"reason_fields", std::move(reason_fields)},
             {"notice", text_or_null(notice)},
             {"error",
              error.empty() && reason_error.empty()
                  ? Value()
                  : Value("Er werd niets opgevraagd of gewist. Kijk het aangeduide veld na.")},
             {"retention_years", kit_.services().engine.privacy.settings().retention_years}});
}

HttpResponse PrivacyPages::lookup(HttpRequest& req) const {
  const std::string number = trim(req.form()["rijksregisternummer"]);
  return admin_page(req, number.empty() ? 422 : 200, number,
                    number.empty() ? "Geef het rijksregisternummer." : "", "", "", "");
}

HttpResponse PrivacyPages::erase(HttpRequest& req) const {
  auto form = req.form();
  const std::string number = trim(form["rijksregisternummer"]);
  const std::string reason = form["reden"];
  auto erased = kit_.services().engine.privacy.erase_student(req.actor(), number, reason);
  if (erased)
    return kit_.message(req, 200, "Persoonsgegevens gewist",
                        "De persoonsgegevens van " + std::to_string(*erased) +
                            (*erased == 1 ? " aanvraag werden" : " aanvragen werden") +
                            " gewist. Wat de statistieken nodig hebben, blijft bewaard.",
                        "/admin/privacy", "Terug naar Privacy");
  const DomainError& e = erased.error();
  if (e.fields.contains("reason"))
    return admin_page(req, 422, number, "", reason, e.fields.at("reason"), "");
  if (e.fields.contains("national_number"))
    return admin_page(req, 422, number, e.fields.at("national_number"), reason, "", "");
  return kit_.refused(req, e, "/admin/privacy");
}

}  // namespace stagematch
