// Exports of a table (the filtered list a user sees) as a file: CSV for Belgian Excel (UTF-8
// with BOM, `;`, CRLF) and a real .xlsx (libxlsxwriter). Both neutralise cells that a
// spreadsheet would read as a formula, so user text never runs as one.
#pragma once

#include <string>
#include <string_view>
#include <utility>
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
};

// A cell that starts with = + - @, a tab or a carriage return gets a leading apostrophe, so a
// spreadsheet shows it as text instead of evaluating it.
std::string neutralise_cell(std::string_view cell);

class CsvExporter final : public Exporter {
 public:
  std::string content_type() const override { return "text/csv; charset=utf-8"; }
  std::string extension() const override { return "csv"; }
  std::string render(const Table& table) const override;
};

class XlsxExporter final : public Exporter {
 public:
  // `sheet_name`: at most 31 characters, none of []:*?/\ (Excel's rules).
  explicit XlsxExporter(std::string sheet_name = "Aanvragen")
      : sheet_name_(std::move(sheet_name)) {}
  std::string content_type() const override {
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  }
  std::string extension() const override { return "xlsx"; }
  std::string render(const Table& table) const override;

 private:
  std::string sheet_name_;
};

}  // namespace stagematch
