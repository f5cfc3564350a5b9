#include "export_formats.hpp"

namespace stagematch {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Every cell between quotes: whatever list separator the reader's spreadsheet expects (a
// semicolon in Belgium, a comma elsewhere), a cell stays one cell and its text stays text.
void append_cell(std::string& out, std::string_view raw) {
  std::string cell = neutralise_cell(raw);
  out += '"';
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_row(std::string& out, const std::vector<std::string>& row, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i) {
    if (i > 0) out += ';';
    append_cell(out, i < row.size() ? std::string_view(row[i]) : std::string_view());
  }
  out += "\r\n";
}

}  // namespace

std::string neutralise_cell(std::string_view cell) {
  if (!cell.empty()) {
    switch (cell.front()) {
      case '=':
      case '+':
      case '-':
      case '@':
      case '\t':
      case '\r':
        return "'" + std::string(cell);
      default:
        break;
    }
  }
  return std::string(cell);
}

std::string CsvExporter::render(const Table& table) const {
  std::string out(kBom);
  const std::size_t width = table.header.size();
  append_row(out, table.header, width);
  for (const auto& row : table.rows) append_row(out, row, width);
  return out;
}

}  // namespace stagematch
