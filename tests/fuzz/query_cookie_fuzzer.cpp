// Fuzz target: query strings, url-encoded form bodies and the Cookie header (web/http.hpp).
// Besides crashes and sanitizer reports it checks that url_decode undoes url_encode and that
// loggable() leaves no control character in a log line.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http.hpp"

namespace {

void fail(const char* what) {
  std::fprintf(stderr, "query_cookie_fuzzer: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)stagematch::parse_query(input);
  (void)stagematch::parse_query_pairs(input);
  (void)stagematch::parse_cookies(input);

  // The same text as an url-encoded form body.
  stagematch::HttpRequest req;
  req.headers["content-type"] = "application/x-www-form-urlencoded";
  req.body = std::string(input);
  (void)req.form();
  (void)req.form_all("provinces");

  const std::string decoded = stagematch::url_decode(input);
  (void)stagematch::url_decode(input, false);
  if (stagematch::url_decode(stagematch::url_encode(input), false) != input)
    fail("url_decode(url_encode(text)) is not the text");
  if (stagematch::url_decode(stagematch::url_encode(decoded)) != decoded)
    fail("url_decode(url_encode(text)) is not the text");

  for (const char c : stagematch::loggable(decoded)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) fail("loggable() let a control character through");
  }
  return 0;
}
