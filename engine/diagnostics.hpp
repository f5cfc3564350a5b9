// Problems found in definitions, reported like a compiler:
//   workflows/tracks/secundair.yaml:12:5: error: transition targets undefined status 'aanvard'
//   [WF0201]
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stagematch {

struct SourcePos {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
};

enum class Severity { kError, kWarning };

struct Diagnostic {
  SourcePos pos;
  Severity severity = Severity::kError;
  std::string code;  // stable, e.g. "WF0201"; see error_codes()
  std::string message;

  std::string to_string() const;  // "FILE:LINE:COLUMN: error: message [CODE]"
};

class Diagnostics {
 public:
  void error(SourcePos pos, std::string_view code, std::string message);
  void warning(SourcePos pos, std::string_view code, std::string message);
  bool has_errors() const;
  const std::vector<Diagnostic>& all() const { return items_; }
  std::size_t error_count() const;
  // Sorted by file, line, column; the order `check` prints.
  std::vector<Diagnostic> sorted() const;
  void append(const Diagnostics& other);

 private:
  std::vector<Diagnostic> items_;
};

struct ErrorCodeDoc {
  std::string_view code;
  std::string_view summary;
};

// Every code the checker can report, with its one line of documentation.
const std::vector<ErrorCodeDoc>& error_codes();

}  // namespace stagematch
