#include "svg_chart.hpp"

#include <algorithm>
#include <cmath>

namespace stagematch {

namespace {

constexpr int kWidth = 640;
constexpr int kHeight = 300;
constexpr int kLeft = 48;  // room for the value axis
constexpr int kRight = 16;
constexpr int kTop = 40;     // room for the legend
constexpr int kBottom = 56;  // room for the labels and their marks
constexpr int kTicks = 4;

int plot_width() { return kWidth - kLeft - kRight; }
int plot_height() { return kHeight - kTop - kBottom; }

// The top of the value axis: the largest value rounded up to a number that divides in kTicks
// whole steps (at least kTicks, so an empty chart still has an axis).
std::int64_t axis_max(const ChartData& data) {
  std::int64_t top = 0;
  for (const auto& s : data.series)
    for (auto v : s.values) top = std::max(top, v);
  std::int64_t step = std::max<std::int64_t>(1, (top + kTicks - 1) / kTicks);
  // Steps of 1, 2, 5 times a power of ten read easily.
  std::int64_t power = 1;
  while (power * 10 <= step) power *= 10;
  for (std::int64_t nice : {1, 2, 5, 10})
    if (nice * power >= step) {
      step = nice * power;
      break;
    }
  return step * kTicks;
}

int y_of(std::int64_t value, std::int64_t top) {
  return kTop + plot_height() -
         static_cast<int>(
             std::lround(static_cast<double>(value) * plot_height() / static_cast<double>(top)));
}

Object frame(const ChartData& data, std::int64_t top) {
  Array ticks;
  for (int i = 0; i <= kTicks; ++i) {
    std::int64_t v = top * i / kTicks;
    int y = y_of(v, top);
    ticks.push_back(Object{{"y", y}, {"text_y", y + 4}, {"value", v}});
  }
  Array legend;
  for (std::size_t i = 0; i < data.series.size(); ++i) {
    int x = kLeft + static_cast<int>(i) * 190;
    legend.push_back(Object{{"x", x},
                            {"text_x", x + 18},
                            {"name", data.series[i].name},
                            {"color", data.series[i].color}});
  }
  return Object{{"width", kWidth},
                {"height", kHeight},
                {"title", data.title},
                {"description", data.description},
                {"left", kLeft},
                {"right", kWidth - kRight},
                {"tick_x", kLeft - 6},
                {"bottom", kTop + plot_height()},
                {"ticks", std::move(ticks)},
                {"legend", std::move(legend)}};
}

// A label short enough to stand under a bar: the first word of a long one ("Brussels").
std::string axis_label(const std::string& label) {
  if (label.size() <= 16) return label;
  auto space = label.find(' ');
  return space == std::string::npos ? label : label.substr(0, space);
}

// The word under label `i`, or null (no mark).
Value mark_of(const ChartData& data, std::size_t i) {
  if (i >= data.marks.size() || data.marks[i].empty()) return Value();
  return Value(data.marks[i]);
}

}  // namespace

Value bar_chart(const ChartData& data) {
  const std::int64_t top = axis_max(data);
  Object out = frame(data, top);
  const std::size_t n = std::max<std::size_t>(1, data.labels.size());
  const double group = static_cast<double>(plot_width()) / static_cast<double>(n);
  const std::size_t k = std::max<std::size_t>(1, data.series.size());
  const double bar = group * 0.8 / static_cast<double>(k);
  const int bottom = kTop + plot_height();
  Array groups;
  for (std::size_t i = 0; i < data.labels.size(); ++i) {
    const double x0 = kLeft + group * static_cast<double>(i) + group * 0.1;
    Array bars;
    for (std::size_t s = 0; s < data.series.size(); ++s) {
      std::int64_t v = i < data.series[s].values.size() ? data.series[s].values[i] : 0;
      int y = y_of(v, top);
      int x = static_cast<int>(std::lround(x0 + bar * static_cast<double>(s)));
      bars.push_back(Object{{"x", x},
                            {"y", y},
                            {"width", std::max(1, static_cast<int>(std::lround(bar)) - 2)},
                            {"height", bottom - y},
                            {"color", data.series[s].color},
                            {"value", v},
                            {"value_x", x + static_cast<int>(std::lround(bar / 2)) - 1},
                            {"value_y", y - 4},
                            {"name", data.series[s].name}});
    }
    const int center =
        static_cast<int>(std::lround(kLeft + group * (static_cast<double>(i) + 0.5)));
    groups.push_back(Object{{"label", data.labels[i]},
                            {"axis_label", axis_label(data.labels[i])},
                            {"label_x", center},
                            {"label_y", bottom + 18},
                            {"mark", mark_of(data, i)},
                            {"mark_y", bottom + 36},
                            {"bars", std::move(bars)}});
  }
  out["groups"] = std::move(groups);
  return Value(std::move(out));
}

Value line_chart(const ChartData& data) {
  const std::int64_t top = axis_max(data);
  Object out = frame(data, top);
  const std::size_t n = data.labels.size();
  auto x_of = [n](std::size_t i) {
    if (n <= 1) return kLeft + plot_width() / 2;
    return kLeft +
           static_cast<int>(std::lround(static_cast<double>(plot_width()) * static_cast<double>(i) /
                                        static_cast<double>(n - 1)));
  };
  Array lines;
  for (const auto& s : data.series) {
    std::string points;
    Array dots;
    for (std::size_t i = 0; i < n && i < s.values.size(); ++i) {
      int x = x_of(i);
      int y = y_of(s.values[i], top);
      if (!points.empty()) points += ' ';
      points += std::to_string(x);
      points += ',';
      points += std::to_string(y);
      dots.push_back(Object{{"x", x}, {"y", y}, {"label", data.labels[i]}, {"value", s.values[i]}});
    }
    lines.push_back(Object{
        {"name", s.name}, {"color", s.color}, {"points", points}, {"dots", std::move(dots)}});
  }
  out["lines"] = std::move(lines);
  // The first, middle and last day under the axis: enough to read the time span.
  Array labels;
  std::vector<std::size_t> shown;
  if (n > 0) shown = {0};
  if (n > 2) shown.push_back(n / 2);
  if (n > 1) shown.push_back(n - 1);
  for (std::size_t i : shown)
    labels.push_back(
        Object{{"x", x_of(i)}, {"y", kTop + plot_height() + 18}, {"text", data.labels[i]}});
  out["labels"] = std::move(labels);
  return Value(std::move(out));
}

Value chart_table(const ChartData& data) {
  Array headers;
  for (const auto& s : data.series) headers.push_back(s.name);
  Array rows;
  for (std::size_t i = 0; i < data.labels.size(); ++i) {
    Array cells;
    for (const auto& s : data.series)
      cells.emplace_back(i < s.values.size() ? s.values[i] : std::int64_t{0});
    rows.push_back(
        Object{{"label", data.labels[i]}, {"mark", mark_of(data, i)}, {"cells", std::move(cells)}});
  }
  return Value(Object{{"caption", data.title},
                      {"label_header", data.label_header},
                      {"has_marks", !data.marks.empty()},
                      {"headers", std::move(headers)},
                      {"rows", std::move(rows)}});
}

}  // namespace stagematch
