#include "api_export.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "api_handlers.hpp"
#include "api_support.hpp"
#include "local_time.hpp"
#include "pages_capacity.hpp"
#include "registry.hpp"

namespace stagematch::api {

namespace {

// The value at a dotted path ("school.name"); null when any step is missing.
const Value& at_path(const Value& item, std::string_view path) {
  const Value* v = &item;
  while (true) {
    auto dot = path.find('.');
    v = &(*v)[path.substr(0, dot)];
    if (dot == std::string_view::npos) return *v;
    path.remove_prefix(dot + 1);
  }
}

// Any value as cell text: text as is, numbers without a needless ".0", lists joined.
std::string plain(const Value& v) {
  if (v.is_null()) return {};
  if (v.is_string()) return v.as_string();
  if (v.is_bool()) return v.as_bool() ? "ja" : "nee";
  if (v.is_number()) return v.to_json();
  if (v.is_array()) {
    std::vector<std::string> parts;
    for (const auto& e : v.as_array()) parts.push_back(plain(e));
    return join(parts, ", ");
  }
  return v.to_json();
}

// A national register number the way the identity card writes it (85.07.30-033.28). Excel
// keeps that as text, where a bare 11-digit number would lose its leading zero.
std::string national_number_text(const std::string& digits) {
  if (digits.size() != 11 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return digits;
  return digits.substr(0, 2) + "." + digits.substr(2, 2) + "." + digits.substr(4, 2) + "-" +
         digits.substr(6, 3) + "." + digits.substr(9, 2);
}

// "2025-10-06" -> "06/10/2025"; other text unchanged.
std::string date_nl(const Value& v) {
  if (!v.is_string()) return plain(v);
  const std::string& s = v.as_string();
  if (s.size() == 10 && s[4] == '-' && s[7] == '-')
    return s.substr(8, 2) + "/" + s.substr(5, 2) + "/" + s.substr(0, 4);
  return s;
}

std::string instant_nl(const Value& v) {
  if (!v.is_string()) return plain(v);
  auto t = parse_instant(v.as_string());
  return t ? format_local_nl(*t) : v.as_string();
}

std::string period_text(const Value& p) {
  if (!p.is_object()) return plain(p);
  return date_nl(p["start"]) + " - " + date_nl(p["end"]);
}

std::string value_label(const FieldDef& field, const Value& v) {
  if (!v.is_string()) return plain(v);
  for (const auto& [id, label] : field.values)
    if (id == v.as_string()) return label;
  return v.as_string();
}

std::string status_label(const Workflow* workflow, const Value& v) {
  if (!v.is_string()) return plain(v);
  if (workflow)
    if (const StatusDef* s = workflow->status(v.as_string())) return s->label;
  return v.as_string();
}

struct Column {
  std::string key;  // the item path it shows: a workflow's personal-field names use these
  std::string header;
  std::function<std::string(const ExportItem&)> cell;
};

Column simple(std::string key, std::string header) {
  std::string path = key;
  return Column{std::move(key), std::move(header),
                [path](const ExportItem& e) { return plain(at_path(e.item, path)); }};
}

// The columns of one workflow field (a school contact reference becomes its person's columns).
void field_columns(const FieldDef& field, std::vector<Column>& out,
                   const std::function<std::string(Id)>& org_name) {
  const std::string id = field.id;
  if (field.type == "ref" && field.ref == "school_contact") {
    out.push_back(simple("school_contact.name", field.label));
    out.push_back(simple("school_contact.phone", "Telefoon " + field.label));
    out.push_back(simple("school_contact.email", "E-mail " + field.label));
    return;
  }
  std::function<std::string(const ExportItem&)> cell;
  if (field.type == "ref" && field.ref == "service") {
    cell = [id, &org_name](const ExportItem& e) {
      const Value& v = e.item[id];
      if (auto service_id = id_value(v)) {
        std::string name = org_name(*service_id);
        if (!name.empty()) return name;
      }
      return plain(v);
    };
  } else if (field.type == "enum") {
    cell = [id](const ExportItem& e) {
      const FieldDef* f = e.workflow ? e.workflow->field(id) : nullptr;
      return f ? value_label(*f, e.item[id]) : plain(e.item[id]);
    };
  } else if (field.type == "set") {
    cell = [id](const ExportItem& e) {
      const Value& v = e.item[id];
      const FieldDef* f = e.workflow ? e.workflow->field(id) : nullptr;
      if (!v.is_array() || !f) return plain(v);
      std::vector<std::string> parts;
      for (const auto& x : v.as_array()) parts.push_back(value_label(*f, x));
      return join(parts, ", ");
    };
  } else if (field.type == "periods") {
    cell = [id](const ExportItem& e) {
      const Value& v = e.item[id];
      if (!v.is_array()) return plain(v);
      std::vector<std::string> parts;
      for (const auto& p : v.as_array()) parts.push_back(period_text(p));
      return join(parts, "; ");
    };
  } else if (field.type == "national_number") {
    cell = [id](const ExportItem& e) { return national_number_text(plain(e.item[id])); };
  } else if (field.type == "date") {
    cell = [id](const ExportItem& e) { return date_nl(e.item[id]); };
  } else {
    cell = [id](const ExportItem& e) { return plain(e.item[id]); };
  }
  out.push_back(Column{id, field.label, std::move(cell)});
}

// Whether the reader may see personal data on some item of this workflow's list: schools and
// admins always; a service in its accepted tab when some status it can set reveals personal
// data, and in its open tab only when such a status keeps the request open (an invitation).
bool personal_columns(const Workflow& workflow, const ExportOptions& options) {
  if (options.role == role::kSchool || options.role == role::kAdmin) return true;
  if (options.role != role::kService) return false;
  for (const auto& t : workflow.transitions) {
    if (t.by != role::kService || !t.has_effect("reveal_personal")) continue;
    const StatusDef* to = workflow.status(t.to);
    if (options.accepted_tab || !to || !to->exclusive) return true;
  }
  return false;
}

}  // namespace

std::string status_counts_header(const std::string& partner) {
  return "Status per " + partner + " (aantal keer gekozen)";
}

std::string status_count_header(const std::string& status_label) {
  return "Aantal keer " + status_label;
}

std::string format_status_counts(const Workflow* workflow, const std::vector<StatusCount>& counts,
                                 const std::function<std::string(Id)>& org_name) {
  // A status's place in the workflow; statuses it no longer defines come last.
  auto rank = [workflow](const std::string& status) {
    std::size_t i = 0;
    if (workflow)
      for (; i < workflow->statuses.size(); ++i)
        if (workflow->statuses[i].id == status) break;
    return i;
  };
  std::map<Id, std::vector<const StatusCount*>> by_service;
  for (const auto& c : counts)
    if (c.count > 0) by_service[c.service_id].push_back(&c);
  std::vector<std::pair<std::string, std::string>> services;
  for (auto& [service_id, list] : by_service) {
    std::sort(list.begin(), list.end(), [&](const StatusCount* a, const StatusCount* b) {
      return std::pair(rank(a->status), a->status) < std::pair(rank(b->status), b->status);
    });
    std::vector<std::string> parts;
    for (const StatusCount* c : list)
      parts.push_back(status_label(workflow, Value(c->status)) + " " + std::to_string(c->count));
    std::string name = org_name(service_id);
    if (name.empty()) name = "dienst " + std::to_string(service_id);
    services.emplace_back(name, join(parts, ", "));
  }
  std::sort(services.begin(), services.end());
  std::vector<std::string> out;
  for (const auto& [name, parts] : services) out.push_back(name + ": " + parts);
  return join(out, "; ");
}

Table request_table(const std::vector<ExportItem>& items, const ExportOptions& options,
                    const std::function<std::string(Id)>& org_name) {
  std::vector<const Workflow*> workflows = options.workflows;
  if (workflows.empty())  // no tracks named: those of the items
    for (const auto& e : items)
      if (e.workflow &&
          std::find(workflows.begin(), workflows.end(), e.workflow) == workflows.end())
        workflows.push_back(e.workflow);

  const bool service = options.role == role::kService;
  // The acceptance (who, when, which periods, mentor, notes): what Matching shows an admin, a
  // school (from its results date) and a service on the requests it accepted.
  const bool answers = options.role == role::kAdmin || options.role == role::kSchool ||
                       (service && options.accepted_tab);

  std::vector<Column> columns;
  if (options.with_track)
    columns.push_back(Column{"track", "Traject", [](const ExportItem& e) {
                               return e.workflow ? e.workflow->label : plain(e.item["track"]);
                             }});
  columns.push_back(simple("year", "Schooljaar"));
  columns.push_back(simple("id", "Nummer"));
  // The words of the exported track; several tracks with words of their own: the defaults.
  static const TrackLabels kDefaultLabels;
  const TrackLabels& words =
      !workflows.empty() &&
              std::all_of(workflows.begin(), workflows.end(),
                          [&](const Workflow* w) { return w->labels == workflows.front()->labels; })
          ? workflows.front()->labels
          : kDefaultLabels;
  columns.push_back(simple("school.name", capitalised(words.organisation)));

  // The workflows' own fields, in their order, each once; personal ones only for a reader who
  // may see personal data in this list (the items of the others lack them anyway).
  std::set<std::string, std::less<>> field_keys;
  for (const Workflow* w : workflows) {
    const bool personal = personal_columns(*w, options);
    for (const auto& f : w->fields) {
      if (!field_keys.insert(f.id).second) continue;
      if (!personal && w->is_personal(f.id)) continue;
      std::vector<Column> of_field;
      field_columns(f, of_field, org_name);
      for (auto& c : of_field)
        if (personal || !w->is_personal(c.key)) columns.push_back(std::move(c));
    }
  }

  columns.push_back(Column{"registered_at", "Ingeschreven op", [](const ExportItem& e) {
                             return instant_nl(e.item["registered_at"]);
                           }});
  columns.push_back(Column{"state", "Toestand", [](const ExportItem& e) {
                             const Value& v = e.item["state"];
                             if (v.is_string() && v.as_string() == request_state::kActive)
                               return std::string("actief");
                             if (v.is_string() && v.as_string() == request_state::kStopped)
                               return std::string("gestopt");
                             return plain(v);
                           }});
  if (service)
    columns.push_back(Column{"my_status", "Mijn status", [](const ExportItem& e) {
                               return status_label(e.workflow, e.item["my_status"]);
                             }});
  // A service's list: the distance to its nearest location and the transport hint (issue 13).
  if (service) {
    columns.push_back(simple("distance_km", "Afstand (km)"));
    columns.push_back(simple("transport_hint", "Vervoer en afstand"));
  }
  if (options.role == role::kSchool)
    columns.push_back(Column{"status", "Status", [](const ExportItem& e) {
                               return status_label(e.workflow, e.item["status"]);
                             }});
  if (answers) {
    columns.push_back(simple("accepted_by.name", "Aanvaard door"));
    columns.push_back(Column{"accepted_at", "Aanvaard op", [](const ExportItem& e) {
                               return instant_nl(e.item["accepted_at"]);
                             }});
    columns.push_back(
        Column{"accepted_periods", "Aanvaarde periodes", [](const ExportItem& e) {
                 const Value& idx = e.item["accepted_periods"];
                 const Value& periods = e.item["periods"];
                 if (!idx.is_array()) return plain(idx);
                 std::vector<std::string> parts;
                 for (const auto& i : idx.as_array()) {
                   if (i.is_int() && periods.is_array() && i.as_int() >= 0 &&
                       static_cast<std::size_t>(i.as_int()) < periods.as_array().size())
                     parts.push_back(
                         period_text(periods.as_array()[static_cast<std::size_t>(i.as_int())]));
                   else
                     parts.push_back("periode " + plain(i));
                 }
                 return join(parts, "; ");
               }});
    columns.push_back(simple("mentor.name", capitalised(words.mentor)));
    columns.push_back(simple("mentor.phone", "Telefoon " + words.mentor));
    columns.push_back(simple("mentor.email", "E-mail " + words.mentor));
    columns.push_back(simple("notes", "Notities"));
  }

  if (options.with_status_counts) {
    // One column per status of the exported workflows (workflow order, the first track's
    // first), counting how often any service chose it; then the count per service.
    std::set<std::string, std::less<>> seen;
    for (const Workflow* w : workflows)
      for (const auto& status : w->statuses) {
        if (!seen.insert(status.id).second) continue;
        columns.push_back(
            Column{"", status_count_header(status.label), [id = status.id](const ExportItem& e) {
                     long long total = 0;
                     for (const auto& c : e.status_counts)
                       if (c.status == id) total += c.count;
                     return std::to_string(total);
                   }});
      }
    columns.push_back(
        Column{"", status_counts_header(words.partner), [&org_name](const ExportItem& e) {
                 return format_status_counts(e.workflow, e.status_counts, org_name);
               }});
  }

  Table table;
  for (const auto& c : columns) table.header.push_back(c.header);
  for (const auto& e : items) {
    std::vector<std::string> row;
    row.reserve(columns.size());
    for (const auto& c : columns) row.push_back(c.cell(e));
    table.rows.push_back(std::move(row));
  }
  return table;
}

// ---- the export handlers ------------------------------------------------------------------------

namespace {

// Names organisations by id for an export, asking once per id.
std::function<std::string(Id)> org_names(Services& s) {
  auto cache = std::make_shared<std::map<Id, std::string>>();
  return [&s, cache](Id id) {
    auto it = cache->find(id);
    if (it != cache->end()) return it->second;
    auto org = s.engine.organisations.find(id);
    return (*cache)[id] = org ? org->name : std::string();
  };
}

HttpResponse file_response(const Exporter& exporter, const std::vector<Exporter::Sheet>& sheets,
                           const std::string& base_name) {
  HttpResponse res;
  res.status = 200;
  res.content_type = exporter.content_type();
  res.body = exporter.render_sheets(sheets);
  // base_name is built from a known track id and a checked school year: plain ASCII.
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + base_name + "." +
                                                      exporter.extension() + "\"");
  return res;
}

// One track's list, with the list's filters, as the caller may see it.
HttpResponse export_track(Services& s, HttpRequest& req, const Exporter& exporter) {
  const std::string track = req.param("track");
  const Workflow* workflow = s.definitions()->workflow(track);
  if (!workflow) return not_found("Dit traject bestaat niet.");
  auto in = list_input(s, req, track);
  if (!in) return in.error();
  auto items = all_items(s, req.actor(), track, *in);
  if (!items) return HttpResponse::error(items.error());
  std::vector<ExportItem> rows;
  for (auto& item : *items) rows.push_back(ExportItem{workflow, std::move(item), {}});
  ExportOptions options;
  options.role = req.user->role;
  options.accepted_tab = in->tab == list_tab::kAccepted;
  options.workflows = {workflow};
  Table table = request_table(rows, options, org_names(s));
  std::string name = "aanvragen_" + track;
  if (in->year) name += "_" + *in->year;
  if (req.user->role == role::kService)
    name += in->tab == list_tab::kAccepted ? "_aanvaard" : "_open";
  return file_response(exporter, {{"Aanvragen", std::move(table)}}, name);
}

// Every request of every track and school year, with the status counts: the admin's export.
HttpResponse export_everything(Services& s, HttpRequest& req, const Exporter& exporter) {
  auto defs = s.definitions();
  std::vector<ExportItem> rows;
  ExportOptions options;
  for (const auto& [track, workflow] : defs->workflows) {
    options.workflows.push_back(&workflow);
    for (const Calendar* calendar : defs->calendars_of(track)) {
      ListInput in;
      in.year = calendar->year;
      auto items = all_items(s, req.actor(), track, in);
      if (!items) return HttpResponse::error(items.error());
      for (auto& item : *items) {
        std::vector<StatusCount> counts;
        if (item["id"].is_int()) {
          auto read = s.engine.progress.status_counts(req.actor(), item["id"].as_int());
          if (!read) return HttpResponse::error(read.error());
          counts = std::move(*read);
        }
        rows.push_back(ExportItem{&workflow, std::move(item), std::move(counts)});
      }
    }
  }
  options.role = req.user->role;
  options.with_track = true;
  options.with_status_counts = true;
  Table table = request_table(rows, options, org_names(s));
  // The workbook adds the places against demand per province (one table: the CSV has none).
  auto places = capacity_export(s, req.actor());
  if (!places) return HttpResponse::error(places.error());
  return file_response(
      exporter, {{"Aanvragen", std::move(table)}, {"Plaatsen per provincie", std::move(*places)}},
      "alle_aanvragen");
}

}  // namespace

HttpResponse track_requests_csv(Services& s, HttpRequest& req) {
  return export_track(s, req, s.exporters.exporter("csv"));
}

HttpResponse track_requests_xlsx(Services& s, HttpRequest& req) {
  return export_track(s, req, s.exporters.exporter("xlsx"));
}

HttpResponse all_requests_csv(Services& s, HttpRequest& req) {
  return export_everything(s, req, s.exporters.exporter("csv"));
}

HttpResponse all_requests_xlsx(Services& s, HttpRequest& req) {
  return export_everything(s, req, s.exporters.exporter("xlsx"));
}

}  // namespace stagematch::api
