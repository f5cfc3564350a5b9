// Fuzz target: multipart/form-data parsing (web/http.hpp), the calendar upload's and every
// form's path. The input's first line is the Content-Type header, the rest the body.
// Besides crashes and sanitizer reports it checks what the tests in tests/http.test.cpp check
// for one body: the parts of a cut-off body are the complete parts before the cut.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http.hpp"

namespace {

void fail(const char* what, std::size_t cut) {
  std::fprintf(stderr, "multipart_fuzzer: %s (body cut at %zu)\n", what, cut);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t line_end = input.find('\n');
  if (line_end == std::string_view::npos) return -1;
  stagematch::HttpRequest req;
  req.method = "POST";
  req.headers["content-type"] = std::string(input.substr(0, line_end));
  req.body = std::string(input.substr(line_end + 1));

  (void)req.form();
  (void)req.form_all("bestand");
  (void)req.file_names();

  const std::string boundary = stagematch::multipart_boundary(req.header("content-type"));
  if (boundary.empty()) return 0;
  const auto all = stagematch::parse_multipart(req.body, boundary);
  // One cut, chosen by the body's last byte so the fuzzer can steer it.
  const std::size_t cut =
      req.body.empty() ? 0 : req.body.size() * static_cast<unsigned char>(req.body.back()) / 255;
  const auto head =
      stagematch::parse_multipart(std::string_view(req.body).substr(0, cut), boundary);
  if (head.size() > all.size()) fail("a cut-off body has more parts than the whole", cut);
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head[i].name != all[i].name || head[i].file_name != all[i].file_name ||
        head[i].content != all[i].content)
      fail("a cut-off body has a part the whole does not have", cut);
  }
  return 0;
}
