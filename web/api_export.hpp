// Request lists as export tables. The columns come from what the items contain: an item
// already lacks every personal field its reader may not see, so a column exists only when at
// least one exported item carries it, and an export never shows more than the list.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "exporter.hpp"
#include "store.hpp"
#include "workflow.hpp"

namespace stagematch::api {

struct ExportItem {
  const Workflow* workflow = nullptr;  // the item's track
  Value item;                          // as Matching presents it to the reader
  std::string status_counts;           // admin export only: "Dienst A: aanvaard 1, ..."
};

struct ExportOptions {
  bool with_track = false;          // a "Traject" column (exports over several tracks)
  bool with_status_counts = false;  // the admin export's per-service status counts
  // For an empty list: the header then names this workflow's non-personal fields.
  const Workflow* empty_workflow = nullptr;
};

// `org_name` names an organisation (preferred service) by id; empty when unknown.
Table request_table(const std::vector<ExportItem>& items, const ExportOptions& options,
                    const std::function<std::string(Id)>& org_name);

// The header of the admin export's count column, which says how to read it.
extern const char* const kStatusCountsHeader;

// "Dienst A: aanvaard 1, uitgenodigd 2 | Dienst B: niet_aanvaard 1".
std::string format_status_counts(const std::vector<StatusCount>& counts,
                                 const std::function<std::string(Id)>& org_name);

}  // namespace stagematch::api
