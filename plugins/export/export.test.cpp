// The exporters on their own: the CSV's bytes exactly (BOM, `;`, CRLF, quoting, formula
// neutralisation) and an .xlsx that is a real zip with a worksheet.
#include <gtest/gtest.h>

#include "export_formats.hpp"

namespace stagematch {
namespace {

TEST(Neutralise, PrefixesCellsASpreadsheetWouldEvaluate) {
  EXPECT_EQ(neutralise_cell("=SUM(A1:A2)"), "'=SUM(A1:A2)");
  EXPECT_EQ(neutralise_cell("+32 470"), "'+32 470");
  EXPECT_EQ(neutralise_cell("-1"), "'-1");
  EXPECT_EQ(neutralise_cell("@cmd"), "'@cmd");
  EXPECT_EQ(neutralise_cell("\tx"), "'\tx");
  EXPECT_EQ(neutralise_cell("\rx"), "'\rx");
  EXPECT_EQ(neutralise_cell("Peeters"), "Peeters");
  EXPECT_EQ(neutralise_cell("a=b"), "a=b");
  EXPECT_EQ(neutralise_cell(""), "");
}

TEST(Csv, WritesBomSemicolonsCrlfAndOneHeaderRow) {
  Table t{{"Naam", "Postcode"}, {{"Peeters", "2000"}, {"Maes", "3500"}}};
  EXPECT_EQ(CsvExporter().render(t),
            "\xEF\xBB\xBF\"Naam\";\"Postcode\"\r\n\"Peeters\";\"2000\"\r\n\"Maes\";\"3500\"\r\n");
}

TEST(Csv, QuotesEveryCellAndDoublesQuotes) {
  Table t{{"a", "b", "c", "d"}, {{"x;y", "zeg \"hallo\"", "lijn\nlijn", "cr\rhier"}}};
  EXPECT_EQ(
      CsvExporter().render(t),
      "\xEF\xBB\xBF"
      "\"a\";\"b\";\"c\";\"d\"\r\n\"x;y\";\"zeg \"\"hallo\"\"\";\"lijn\nlijn\";\"cr\rhier\"\r\n");
}

TEST(Csv, NeutralisesFormulasAndKeepsUtf8) {
  Table t{{"Naam"}, {{"=HYPERLINK(\"http://x\")"}, {"Zoë Ç"}, {"@SUM(1)"}, {"a,@SUM(1)"}}};
  // "a,@SUM(1)" unquoted would be two cells, the second a formula, where the list separator
  // is a comma.
  EXPECT_EQ(
      CsvExporter().render(t),
      "\xEF\xBB\xBF\"Naam\"\r\n\"'=HYPERLINK(\"\"http://x\"\")\"\r\n\"Zoë Ç\"\r\n\"'@SUM(1)\"\r\n"
      "\"a,@SUM(1)\"\r\n");
}

TEST(Csv, PadsShortRowsAndCutsLongOnes) {
  Table t{{"a", "b"}, {{"1"}, {"1", "2", "3"}}};
  EXPECT_EQ(CsvExporter().render(t),
            "\xEF\xBB\xBF"
            "\"a\";\"b\"\r\n\"1\";\"\"\r\n\"1\";\"2\"\r\n");
}

TEST(Csv, HeaderOnlyForAnEmptyList) {
  EXPECT_EQ(CsvExporter().render(Table{{"a"}, {}}),
            "\xEF\xBB\xBF"
            "\"a\"\r\n");
}

TEST(Xlsx, WritesARealWorkbook) {
  Table t{{"Naam", "Opmerking"}, {{"=1+1", "Zoë"}, {"Maes", std::string(40000, 'x')}}};
  XlsxExporter xlsx;
  std::string bytes = xlsx.render(t);
  ASSERT_GT(bytes.size(), 100u);
  EXPECT_EQ(bytes.substr(0, 2), "PK");
  // The zip's local headers name its parts in plain text.
  EXPECT_NE(bytes.find("xl/worksheets/sheet1.xml"), std::string::npos);
  EXPECT_NE(bytes.find("[Content_Types].xml"), std::string::npos);
  EXPECT_EQ(xlsx.extension(), "xlsx");
}

TEST(Xlsx, WritesEveryTableOnASheetOfItsOwn) {
  XlsxExporter xlsx;
  std::string bytes = xlsx.render_sheets({{"Aanvragen", Table{{"Naam"}, {{"Maes"}}}},
                                          {"Plaatsen per provincie", Table{{"Provincie"}, {}}}});
  EXPECT_NE(bytes.find("xl/worksheets/sheet1.xml"), std::string::npos);
  EXPECT_NE(bytes.find("xl/worksheets/sheet2.xml"), std::string::npos);
  // A format with room for one table writes the first.
  CsvExporter csv;
  EXPECT_EQ(csv.render_sheets({{"Eerste", Table{{"a"}, {}}}, {"Tweede", Table{{"b"}, {}}}}),
            csv.render(Table{{"a"}, {}}));
}

TEST(Xlsx, RefusesAnInvalidSheetName) {
  EXPECT_THROW(XlsxExporter("a/b").render(Table{{"a"}, {}}), std::runtime_error);
}

}  // namespace
}  // namespace stagematch
