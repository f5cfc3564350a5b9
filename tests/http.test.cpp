// The request parsing the handlers rely on, on its own: multipart/form-data bodies (the calendar
// upload) as browsers send them and as a careless or hostile client might, url-encoded forms.
// Malformed input must give an empty or partial form, never an exception or a read past the end.
#include "http.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stagematch {
namespace {

constexpr const char* kType = "multipart/form-data; boundary=grens";

// Two fields and a file, as a browser sends them.
const std::string kBody =
    "--grens\r\n"
    "Content-Disposition: form-data; name=\"_csrf\"\r\n"
    "\r\n"
    "abc\r\n"
    "--grens\r\n"
    "Content-Disposition: form-data; name=\"yaml\"\r\n"
    "\r\n"
    "regel 1\r\nregel 2\r\n"
    "--grens\r\n"
    "Content-Disposition: form-data; name=\"bestand\"; filename=\"2025-2026.yaml\"\r\n"
    "Content-Type: application/x-yaml\r\n"
    "\r\n"
    "kind: calendar\r\n--grens-is-geen-grens\r\n"
    "--grens--\r\n";

HttpRequest multipart(std::string body, std::string content_type = kType) {
  HttpRequest req;
  req.method = "POST";
  req.headers["content-type"] = std::move(content_type);
  req.body = std::move(body);
  return req;
}

TEST(Multipart, ABrowsersBodyGivesItsFieldsAndFiles) {
  HttpRequest req = multipart(kBody);
  auto form = req.form();
  EXPECT_EQ(form["_csrf"], "abc");
  EXPECT_EQ(form["yaml"], "regel 1\r\nregel 2");
  // A line that only starts like the boundary is content.
  EXPECT_EQ(form["bestand"], "kind: calendar\r\n--grens-is-geen-grens");
  auto names = req.file_names();
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names["bestand"], "2025-2026.yaml");
}

TEST(Multipart, TheBoundaryIsReadFromTheContentTypeInAnyCase) {
  EXPECT_EQ(multipart_boundary(kType), "grens");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"met spatie\""),
            "met spatie");
  EXPECT_EQ(multipart_boundary("multipart/form-data"), "");
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary="), "");
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"open"), "");
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')), "");
  EXPECT_EQ(multipart_boundary("multipart/mixed; boundary=grens"), "");
  EXPECT_EQ(multipart_boundary("application/x-www-form-urlencoded"), "");
  EXPECT_EQ(multipart_boundary(""), "");
  EXPECT_EQ(multipart_boundary(";;;="), "");
}

TEST(Multipart, AMissingOrWrongBoundaryGivesAnEmptyForm) {
  EXPECT_TRUE(multipart(kBody, "multipart/form-data").form().empty());
  EXPECT_TRUE(multipart(kBody, "multipart/form-data; boundary=anders").form().empty());
  EXPECT_TRUE(multipart(kBody, "multipart/form-data; boundary=").file_names().empty());
  EXPECT_TRUE(multipart("", kType).form().empty());
  EXPECT_TRUE(multipart("geen multipart", kType).form().empty());
  EXPECT_TRUE(parse_multipart(kBody, "").empty());
}

TEST(Multipart, APartWhoseDelimiterNeverCameIsLeftOut) {
  // Without the final boundary: the complete parts stay, the cut-off file does not count.
  std::string cut = kBody.substr(0, kBody.find("--grens--"));
  auto parts = parse_multipart(cut, "grens");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "_csrf");
  EXPECT_EQ(parts[1].name, "yaml");
  // The closing delimiter without its "--" is not a close either.
  EXPECT_EQ(parse_multipart(kBody.substr(0, kBody.size() - 4), "grens").size(), 2u);
  // Without the closing "--" but with a line end, the next part simply never starts.
  std::string open_end = kBody.substr(0, kBody.size() - 4) + "\r\n";
  EXPECT_EQ(parse_multipart(open_end, "grens").size(), 3u);
}

TEST(Multipart, EveryCutOfABodyGivesTheCompletePartsBeforeTheCut) {
  auto all = parse_multipart(kBody, "grens");
  ASSERT_EQ(all.size(), 3u);
  for (std::size_t n = 0; n <= kBody.size(); ++n) {
    auto parts = parse_multipart(std::string_view(kBody).substr(0, n), "grens");
    ASSERT_LE(parts.size(), all.size()) << n;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      EXPECT_EQ(parts[i].name, all[i].name) << n;
      EXPECT_EQ(parts[i].file_name, all[i].file_name) << n;
      EXPECT_EQ(parts[i].content, all[i].content) << n;
    }
  }
}

TEST(Multipart, GarbledPartsAreSkippedOrEndTheForm) {
  // A part without a name, one that is no form-data and one with an unclosed quote are
  // skipped; the parts around them are read.
  std::string body =
      "voorwoord dat niet telt\r\n"
      "--g\r\n"
      "Content-Disposition: form-data\r\n\r\nzonder naam\r\n"
      "--g\r\n"
      "Content-Disposition: attachment; name=\"bijlage\"\r\n\r\nx\r\n"
      "--g\r\n"
      "Content-Disposition: form-data; name=\"open\r\n\r\nx\r\n"
      "--g\r\n"
      "\r\nzonder koppen\r\n"
      "--g  \r\n"
      "content-disposition: FORM-DATA; filename=\"a;name=b.yaml\"; NAME=veld\r\n\r\nwaarde\r\n"
      "--g--\r\nnawoord dat niet telt";
  auto parts = parse_multipart(body, "g");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "veld");
  EXPECT_EQ(parts[0].file_name, "a;name=b.yaml");
  EXPECT_EQ(parts[0].content, "waarde");

  // Headers without the empty line after them end the form there.
  std::string no_blank_line =
      "--g\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
      "--g\r\nContent-Disposition: form-data; name=\"b\"\r\n2\r\n"
      "--g\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n3\r\n--g--\r\n";
  parts = parse_multipart(no_blank_line, "g");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "a");
  // Bare line feeds are not multipart: nothing, rather than a guess.
  EXPECT_TRUE(parse_multipart("--g\nContent-Disposition: form-data; name=\"a\"\n\n1\n--g--\n", "g")
                  .empty());
  // Only delimiters, or a delimiter at the very end.
  EXPECT_TRUE(parse_multipart("--g--", "g").empty());
  EXPECT_TRUE(parse_multipart("--g", "g").empty());
  EXPECT_TRUE(parse_multipart("--g\r\n", "g").empty());
  EXPECT_TRUE(parse_multipart("\r\n--g\r\n\r\n", "g").empty());
}

TEST(Multipart, FileContentIsKeptByteForByteAndListsKeepEveryValue) {
  std::string binary("a\0b\r\nc", 6);
  std::string body =
      "--g\r\nContent-Disposition: form-data; name=\"f\"; filename=\"C:\\pad\\x.yaml\"\r\n\r\n" +
      binary +
      "\r\n--g\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n1\r\n"
      "--g\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n2\r\n"
      "--g\r\nContent-Disposition: form-data; name=\"leeg\"; filename=\"\"\r\n\r\n\r\n"
      "--g--\r\n";
  HttpRequest req = multipart(body, "multipart/form-data; boundary=g");
  EXPECT_EQ(req.form()["f"], binary);
  EXPECT_EQ(req.form()["t"], "1");
  EXPECT_EQ(req.form_all("t"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(req.form()["leeg"], "");
  auto names = req.file_names();
  EXPECT_EQ(names.size(), 1u) << "no file chosen: no file name";
  EXPECT_EQ(names["f"], "C:\\pad\\x.yaml");
}

TEST(UrlEncodedForm, StaysAsItWas) {
  HttpRequest req;
  req.headers["content-type"] = "application/x-www-form-urlencoded";
  req.body = "a=1&b=x+y%21&a=2&c";
  EXPECT_EQ(req.form()["a"], "1");
  EXPECT_EQ(req.form()["b"], "x y!");
  EXPECT_EQ(req.form_all("a"), (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(req.file_names().empty());
  req.headers.clear();  // no Content-Type: read as url-encoded, as before
  EXPECT_EQ(req.form()["a"], "1");
}

}  // namespace
}  // namespace stagematch
