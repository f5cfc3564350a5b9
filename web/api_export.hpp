// Request lists as export tables. The columns are fixed by the exported tracks' workflows and
// by who reads which list, never by the data: the same export has the same header every day,
// also when it has no rows. Cells hold what the items carry, and an item already lacks every
// personal field its reader may not see, so an export never shows more than the list.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "exporter.hpp"
#include "progress.hpp"
#include "workflow.hpp"

namespace stagematch::api {

struct ExportItem {
  const Workflow* workflow = nullptr;      // the item's track
  Value item;                              // as Matching presents it to the reader
  std::vector<StatusCount> status_counts;  // admin export only: Progress::status_counts
};

struct ExportOptions {
  // The reader and their list: "school", "admin", or "service" with its open or accepted tab.
  std::string role;
  bool accepted_tab = false;
  // The exported tracks' workflows, in order: the field and status-count columns come from
  // them (each field once, the first workflow's order first).
  std::vector<const Workflow*> workflows;
  bool with_track = false;          // a "Traject" column (exports over several tracks)
  bool with_status_counts = false;  // the admin export's status-count columns
};

// `org_name` names an organisation (preferred service, counting service) by id; empty when
// unknown.
Table request_table(const std::vector<ExportItem>& items, const ExportOptions& options,
                    const std::function<std::string(Id)>& org_name);

// The header of the admin export's readable per-service detail column, in the track's own word
// for its partners ("Status per dienst (aantal keer gekozen)").
std::string status_counts_header(const std::string& partner);
// The header of the admin export's column counting `status_label` over every service.
std::string status_count_header(const std::string& status_label);

// "Dienst A: Niet aanvaard 1, Aanvaard 1; Dienst B: Onbeslist 2": services by name, each with
// the Dutch labels of `workflow` (in its status order) and how often it chose them.
std::string format_status_counts(const Workflow* workflow, const std::vector<StatusCount>& counts,
                                 const std::function<std::string(Id)>& org_name);

}  // namespace stagematch::api
