// What every page handler shares: the services, the template renderer, the page frame (menu,
// user, CSRF token) and small helpers to read forms and to write dates the Dutch way.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app.hpp"
#include "pages_render.hpp"
#include "rules.hpp"

namespace stagematch {

class PageKit {
 public:
  explicit PageKit(Services& services);

  Services& services() const { return services_; }
  std::shared_ptr<const DefinitionSet> definitions() const { return services_.definitions(); }

  // TEMPLATE rendered with `data` inside the page frame: title, menu, user and CSRF token.
  HttpResponse page(const HttpRequest& req, int status, const std::string& tmpl,
                    const std::string& title, Object data) const;
  // The same, with large pieces of HTML made before (a list's rows, a filter form) put in after
  // rendering instead of going through the template's data: in `data`, each piece's key holds
  // a mark (the template shows it unescaped, with {{{key}}}), and the page has the piece there.
  using Pieces = std::vector<std::pair<std::string, std::shared_ptr<const std::string>>>;
  HttpResponse page(const HttpRequest& req, int status, const std::string& tmpl,
                    const std::string& title, Object data, const Pieces& pieces) const;
  // A piece of a page: the partial TEMPLATE (a `_name` file) rendered with `data` alone, for a
  // page to put in place with {{{triple braces}}}.
  std::string fragment(const std::string& tmpl, const Value& data) const {
    return renderer_.render(tmpl, data);
  }
  // A page with a heading, one sentence and a link onwards (not found, refused, done).
  HttpResponse message(const HttpRequest& req, int status, const std::string& title,
                       const std::string& text, const std::string& link_href = "/",
                       const std::string& link_label = "Naar de startpagina") const;
  HttpResponse not_found(const HttpRequest& req) const;
  // A refusal of the domain as a page: its Dutch message, with the error's status.
  HttpResponse refused(const HttpRequest& req, const DomainError& e,
                       const std::string& back_href = "/") const;
  // GET /static/{file}: only the files the pages use, each with its content type.
  HttpResponse static_file(const HttpRequest& req) const;

  // What the timing rules say now for `track` in school year `year` (empty: the calendar that
  // governs now); nullopt without a calendar or when the rules fail.
  std::optional<Moment> moment_now(const std::string& track, const std::string& year = "") const;
  // Empty when a school may register in `track` now; else the rules' Dutch reason.
  std::string registration_closed(const std::string& track) const;
  // While a blackout delays registrations: the Dutch warning that a student registered now
  // becomes visible to services only later, with the date. Empty otherwise.
  std::string registration_delayed(const std::string& track) const;

 private:
  Object frame(const HttpRequest& req, const std::string& title) const;
  Array menu(const HttpRequest& req) const;

  Services& services_;
  PageRenderer renderer_;
  std::filesystem::path static_dir_;
};

// "2025-10-06" -> "06/10/2025"; anything else is returned as it was.
std::string date_nl(std::string_view iso_date);
// An ISO instant ("2025-09-05T12:00:00+02:00") -> "05/09/2025 12:00" in Belgian time.
std::string instant_nl(std::string_view iso);
// Null for an empty text, so {{#key}} in a template skips it.
Value text_or_null(const std::string& s);
// The Dutch label of a workflow's enum/set value, or the value itself.
std::string value_label(const FieldDef* field, const std::string& id);
std::string track_label(const DefinitionSet& defs, const std::string& track);
// The track's words for the view as {{labels.person}} (in a sentence) and {{labels.Person}}
// (at its start), one pair per key of TrackLabels.
Value labels_view(const TrackLabels& labels);
// "a=1&b=x%20y" from pairs, empty values left out.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& pairs);
// {"field": message} for a template, null when there is none.
Value error_of(const std::map<std::string, std::string>& errors, const std::string& field);

// Reading request items as Matching returns them.
std::string full_name(const Value& item);
std::string status_label(const Workflow& workflow, const std::string& status);
std::string text_of(const Value& v);  // a string value, or an empty text
bool is_stopped(const Value& item);

// The page number in ?pagina=, and the links to the pages around it (null: one page).
int page_number(const HttpRequest& req);
Value paging(const std::string& base, int page, std::int64_t total, int size);

}  // namespace stagematch
