// The built-in export formats: CSV for Belgian Excel (UTF-8 with BOM, `;`, CRLF) and a real
// .xlsx (libxlsxwriter). Both neutralise cells that a spreadsheet would read as a formula, so
// user text never runs as one. Registered as "csv" and "xlsx" (plugins/builtin.cpp).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "exporter.hpp"

namespace stagematch {

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
  // Every table on a sheet of its own, in order.
  std::string render_sheets(const std::vector<Sheet>& sheets) const override;

 private:
  std::string sheet_name_;
};

}  // namespace stagematch
