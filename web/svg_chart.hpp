// Charts drawn on the server as inline SVG, with no script: a grouped bar chart and a line
// chart. Each is made from one ChartData, and the same ChartData gives the table that follows
// the picture on the page, so the picture and its table for screen readers cannot disagree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "value.hpp"

namespace stagematch {

struct ChartSeries {
  std::string name;                  // in the legend and the table's header
  std::string color;                 // an SVG colour ("#1d5fa8")
  std::vector<std::int64_t> values;  // one per label
};

struct ChartData {
  std::string title;                // the picture's <title> and the table's caption
  std::string description;          // the picture's aria-label: what it shows, in one sentence
  std::string label_header;         // the table's first column ("Provincie", "Dag")
  std::vector<std::string> labels;  // one per bar group or point
  std::vector<ChartSeries> series;
  std::vector<std::string> marks;  // per label, a word under it ("Tekort"), or ""
};

// The views of the partials _svg_bars and _svg_lines: coordinates, axis ticks and legend.
Value bar_chart(const ChartData& data);
Value line_chart(const ChartData& data);
// The twin table's view: {caption, label_header, headers:[..], rows:[{label, mark, cells:[..]}]}.
Value chart_table(const ChartData& data);

}  // namespace stagematch
