#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "export_formats.hpp"

namespace stagematch {

namespace {

// Excel keeps at most this many characters in one cell.
constexpr std::size_t kMaxCellBytes = 32767;

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string clip_utf8(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  s.resize(end);
  return s;
}

// A unique empty file in the temp directory, removed again when this goes out of scope.
class TempFile {
 public:
  TempFile() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "stagematch-export-XXXXXX.xlsx").string();
    int fd = ::mkstemps(pattern.data(), 5);
    if (fd < 0) throw std::runtime_error("kan geen tijdelijk bestand maken voor de xlsx-export");
    ::close(fd);
    path_ = pattern;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void check(lxw_error error, const char* what) {
  if (error != LXW_NO_ERROR)
    throw std::runtime_error(std::string("xlsx-export: ") + what + ": " + lxw_strerror(error));
}

// One table on a sheet of its own: bold header row, frozen, filtered, columns sized to fit.
void write_sheet(lxw_workbook* workbook, lxw_format* bold, const std::string& name,
                 const Table& table) {
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, name.c_str());
  if (!sheet) throw std::runtime_error("xlsx-export: ongeldige bladnaam");
  const std::size_t width = table.header.size();
  auto write_row = [&](lxw_row_t row, const std::vector<std::string>& cells, lxw_format* format) {
    for (std::size_t col = 0; col < width && col < cells.size(); ++col) {
      if (cells[col].empty()) continue;
      std::string text = clip_utf8(neutralise_cell(cells[col]), kMaxCellBytes);
      check(worksheet_write_string(sheet, row, static_cast<lxw_col_t>(col), text.c_str(), format),
            "cel schrijven");
    }
  };
  write_row(0, table.header, bold);
  lxw_row_t row = 1;
  for (const auto& cells : table.rows) write_row(row++, cells, nullptr);
  worksheet_freeze_panes(sheet, 1, 0);
  if (width > 0) {
    worksheet_autofilter(sheet, 0, 0, row - 1, static_cast<lxw_col_t>(width - 1));
    for (std::size_t col = 0; col < width; ++col) {
      std::size_t longest = table.header[col].size();
      for (const auto& cells : table.rows)
        if (col < cells.size()) longest = std::max(longest, cells[col].size());
      worksheet_set_column(sheet, static_cast<lxw_col_t>(col), static_cast<lxw_col_t>(col),
                           static_cast<double>(std::min<std::size_t>(longest + 2, 60)), nullptr);
    }
  }
}

}  // namespace

std::string XlsxExporter::render(const Table& table) const {
  return render_sheets({Sheet{sheet_name_, table}});
}

std::string XlsxExporter::render_sheets(const std::vector<Sheet>& sheets) const {
  TempFile file;
  lxw_workbook* workbook = workbook_new(file.path().c_str());
  if (!workbook) throw std::runtime_error("xlsx-export: kan het werkboek niet aanmaken");
  // workbook_close frees the workbook; this guard closes it when a write below throws.
  struct Closer {
    lxw_workbook* workbook;
    bool closed = false;
    ~Closer() {
      if (!closed) workbook_close(workbook);
    }
  } closer{workbook};

  lxw_format* bold = workbook_add_format(workbook);
  format_set_bold(bold);
  for (const auto& sheet : sheets) write_sheet(workbook, bold, sheet.name, sheet.table);

  closer.closed = true;
  check(workbook_close(workbook), "werkboek sluiten");

  std::error_code size_error;
  auto size = std::filesystem::file_size(file.path(), size_error);
  std::ifstream in(file.path(), std::ios::binary);
  std::string bytes(size_error ? 0 : size, '\0');
  if (size_error || !in || !in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    throw std::runtime_error("xlsx-export: kan het geschreven bestand niet lezen");
  return bytes;
}

}  // namespace stagematch
