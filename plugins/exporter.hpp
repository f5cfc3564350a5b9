// An export format: a table (the filtered list a user sees) as a file to download. The formats
// themselves are plugins (plugins/export/), found by name in the registry (registry.hpp); this
// interface is all the web side sees of them.
#pragma once

#include <string>
#include <vector>

namespace stagematch {

// One header row and the data rows; every row as long as the header (shorter rows are padded
// with empty cells, longer ones cut).
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

class Exporter {
 public:
  virtual ~Exporter() = default;
  virtual std::string content_type() const = 0;
  virtual std::string extension() const = 0;  // "csv", "xlsx"
  // The file's bytes. Throws std::runtime_error when the file cannot be written.
  virtual std::string render(const Table& table) const = 0;
  // A named table, for a format that holds several (a workbook's sheets).
  struct Sheet {
    std::string name;  // at most 31 characters, without the characters Excel refuses
    Table table;
  };
  // Several tables in one file; a format with room for one table writes the first.
  virtual std::string render_sheets(const std::vector<Sheet>& sheets) const {
    return render(sheets.empty() ? Table{} : sheets.front().table);
  }
};

}  // namespace stagematch
