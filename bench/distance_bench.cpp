// stagematch_bench_distance: the distance sort (issue 13) on the benchmark's data, through the
// store: how long saving every request's place takes the first time and once nothing changed,
// and a service's open list of the latest school year, page 1 of 50, in the default order
// against sort=afstand (median and 95th percentile of N calls each, alternating).
//
//   stagematch_bench_distance --url URL [--iterations 200]
//
// Run it on a database filled by stagematch_bench_generate (whose services work from their
// seat).

#include <algorithm>
#include <chrono>
#include <exception>
#include <iomanip>
#include <iostream>
#include <stdexcept>
#include <vector>

#include "geo.hpp"
#include "options.hpp"
#include "sql_store.hpp"

namespace stagematch::bench {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

int run(int argc, char** argv) {
  Options o(argc, argv, 1, {"url", "iterations"});
  auto store = open_store(o.required("url"));
  const auto iterations = static_cast<int>(o.integer("iterations", 200, 1, 100000));

  auto start = Clock::now();
  place_requests(*store, "secundair");
  const double first = ms_since(start);
  start = Clock::now();
  place_requests(*store, "secundair");
  const double again = ms_since(start);

  auto services = store->organisations("service");
  if (services.empty()) throw std::runtime_error("no services: generate the data first");
  RequestQuery latest;
  latest.track = "secundair";
  latest.tab = "all";
  latest.include_stopped = true;
  latest.sort = "-registered_at";
  latest.page_size = 1;
  auto newest = store->requests(latest);
  if (!newest || newest->items.empty()) throw std::runtime_error("no requests");

  RequestQuery q;
  q.track = "secundair";
  q.year = newest->items.front().year;
  q.service_id = services.front().id;
  std::vector<double> plain, by_distance;
  std::int64_t total = 0;
  for (int i = 0; i < iterations; ++i) {
    for (const char* sort : {"", "afstand"}) {
      q.sort = sort;
      start = Clock::now();
      auto page = store->requests(q);
      (*sort ? by_distance : plain).push_back(ms_since(start));
      if (!page) throw std::runtime_error(page.error().message);
      total = page->total;
    }
  }
  std::cout << std::fixed << std::setprecision(2) << "places saved: first " << first
            << " ms, again " << again << " ms\n"
            << "open list " << *q.year << " (" << total << " requests), page 1 of 50, "
            << iterations << " calls each:\n"
            << "  default order: median " << percentile(plain, 0.5) << " ms, p95 "
            << percentile(plain, 0.95) << " ms\n"
            << "  sort=afstand:  median " << percentile(by_distance, 0.5) << " ms, p95 "
            << percentile(by_distance, 0.95) << " ms\n";
  return 0;
}

}  // namespace
}  // namespace stagematch::bench

int main(int argc, char** argv) {
  try {
    return stagematch::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "stagematch_bench_distance: " << e.what() << "\n";
    return 1;
  }
}
