// stagematch_bench_list: the service list on PostgreSQL, through our store layer and bare.
//
// For each scenario (a service's list at a moment of the 2025-2026 secundair calendar, with the
// visibility predicate the rules give for it, default sort, page 1 of 50):
//   1. capture: one Store::requests() call with log_statement = 'all' for the database; the
//      server log gives exactly the statements the store sent, with their parameter values;
//   2. write them as a pgbench script (values substituted, BEGIN ... COMMIT as the store does)
//      and check that run bare they give the same total and the same ids in the same order;
//   3. measure, in alternating rounds: Store::requests() in this process, then
//      `pgbench -n -M simple|extended -f SCRIPT -t N -c 1 -l` (per-transaction latencies from
//      its log);
//   4. EXPLAIN (ANALYZE, BUFFERS) of each statement.
// Writes a Markdown report (bench/run.sh puts it into bench/results/list_query.md).
//
//   stagematch_bench_list measure --url URL --server-log FILE --out DIR --report FILE
//       [--iterations 1000] [--rounds 20] [--pgbench pgbench] [--workflows DIR] [--rules DIR]
//   stagematch_bench_list probe --url URL --calls N
//       (N calls of the first scenario and nothing else: run.sh counts their sends with strace)

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "definitions.hpp"
#include "local_time.hpp"
#include "options.hpp"
#include "pg_client.hpp"
#include "predicate.hpp"
#include "rules.hpp"
#include "sql_store.hpp"
#include "store.hpp"

extern char** environ;

namespace stagematch::bench {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTrack = "secundair";
constexpr std::string_view kYear = "2025-2026";
constexpr int kWarmup = 50;
// Each pgbench run is a new connection whose first transactions fill the backend's catalog
// caches; ours keeps its pooled session. Those first transactions of every run are not counted.
constexpr int kFreshConnection = 10;

struct Scenario {
  std::string key;
  std::string title;
  std::string now;  // Brussels time; picks the round, hence the visibility predicate
  std::vector<std::string> provinces;
  std::string postal_code;
};

// What one store call sent, read back from the server log.
struct Captured {
  std::vector<std::string> queries;  // the statements, parameter values substituted
  std::vector<std::string> other;    // everything else the server was asked, in order
};

struct Stats {
  std::size_t n = 0;
  double median = 0;
  double p90 = 0;
  double p99 = 0;
  double mean = 0;
  double min = 0;
  double max = 0;
};

// User plus system CPU time of this process so far, in microseconds.
double own_cpu_us() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto us = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_usec);
  };
  return us(ru.ru_utime) + us(ru.ru_stime);
}

// The 1-minute load average, as /proc/loadavg says it.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "?" : one;
}

// Nearest-rank percentiles, the same for both sides.
Stats stats_of(std::vector<double> us) {
  if (us.empty()) throw std::runtime_error("no samples");
  std::sort(us.begin(), us.end());
  auto rank = [&](double p) {
    auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(us.size())));
    return us[std::clamp<std::size_t>(k, 1, us.size()) - 1];
  };
  double sum = 0;
  for (double v : us) sum += v;
  return Stats{us.size(),  rank(0.5), rank(0.9), rank(0.99), sum / static_cast<double>(us.size()),
               us.front(), us.back()};
}

std::string ms(double us) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << us / 1000.0;
  return out.str();
}

std::string fixed(double v, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << v;
  return out.str();
}

// What a captured statement is, for the report.
std::string label_of(std::string_view sql) {
  if (sql.starts_with("SELECT COUNT(*)")) return "the total";
  if (sql.find("FROM request_transport WHERE request_id IN") != std::string_view::npos)
    return "the transport modes";
  return "the page";
}

std::string quote_ident(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string read_from(const fs::path& path, std::uintmax_t offset) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  in.seekg(static_cast<std::streamoff>(offset));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// "$1 = 'secundair', $2 = NULL, ..." (the DETAIL line of log_statement) -> number -> literal.
std::map<int, std::string> parse_parameters(std::string_view s) {
  std::map<int, std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '$') throw std::runtime_error("unexpected parameter list: " + std::string(s));
    std::size_t j = i + 1;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    int n = std::stoi(std::string(s.substr(i + 1, j - i - 1)));
    if (s.substr(j, 3) != " = ") throw std::runtime_error("unexpected parameter list");
    j += 3;
    std::size_t end = j;
    if (s.substr(j, 4) == "NULL") {
      end = j + 4;
    } else if (j < s.size() && s[j] == '\'') {
      end = j + 1;
      while (end < s.size()) {
        if (s[end] == '\'' && end + 1 < s.size() && s[end + 1] == '\'') {
          end += 2;
        } else if (s[end] == '\'') {
          ++end;
          break;
        } else {
          ++end;
        }
      }
    } else {
      throw std::runtime_error("unexpected parameter value in: " + std::string(s));
    }
    out[n] = std::string(s.substr(j, end - j));
    i = end;
    if (s.substr(i, 2) == ", ") i += 2;
  }
  return out;
}

// `sql` with every $n outside string literals replaced by its value, as written in the log (a
// quoted literal, which PostgreSQL types from its context just as it types a parameter).
std::string substitute(std::string_view sql, const std::map<int, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < sql.size();) {
    char c = sql[i];
    if (c == '\'') {
      std::size_t end = sql.find('\'', i + 1);
      end = end == std::string_view::npos ? sql.size() : end + 1;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '$' && i + 1 < sql.size() &&
               std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      std::size_t j = i + 1;
      while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) ++j;
      int n = std::stoi(std::string(sql.substr(i + 1, j - i - 1)));
      auto it = values.find(n);
      if (it == values.end()) throw std::runtime_error("no value for $" + std::to_string(n));
      out += it->second;
      i = j;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

// Reads the statements of one store call from the server log (log_statement = 'all'), from its
// BEGIN on: what comes before is the pooled session being set up, once per connection.
Captured parse_log(const std::string& text) {
  Captured c;
  auto lines = lines_of(text);
  bool begun = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    auto at = line.find("LOG:  ");
    if (at == std::string_view::npos) continue;
    std::string_view rest = line.substr(at + 6);
    begun = begun || rest == "statement: BEGIN";
    if (!begun || rest.starts_with("statement: ALTER DATABASE")) continue;
    if (rest.starts_with("execute ")) {
      auto colon = rest.find(": ");
      if (colon == std::string_view::npos) throw std::runtime_error("unexpected log line");
      std::string sql(rest.substr(colon + 2));
      std::map<int, std::string> values;
      if (i + 1 < lines.size()) {
        std::string_view next = lines[i + 1];
        constexpr std::string_view kDetail = "DETAIL:  parameters: ";
        if (auto d = next.find(kDetail); d != std::string_view::npos) {
          values = parse_parameters(next.substr(d + kDetail.size()));
          ++i;
        }
      }
      c.queries.push_back(substitute(sql, values));
      c.other.push_back("execute: " + sql.substr(0, 60) + (sql.size() > 60 ? "..." : ""));
    } else if (rest.starts_with("statement: ")) {
      c.other.emplace_back(rest.substr(11));
    }
  }
  return c;
}

Instant brussels(const std::string& text) {
  auto l = parse_local(text);
  if (!l) throw std::invalid_argument("bad moment " + text);
  return from_brussels(*l);
}

class Bench {
 public:
  explicit Bench(const Options& opt)
      : url_(opt.required("url")), pg_(url_), database_(pg_.scalar("SELECT current_database()")) {
    auto loaded = load_definitions(opt.text("workflows", "workflows"), opt.text("rules", "rules"));
    if (!loaded.ok())
      throw std::runtime_error("the definitions do not load (run from the repo root)");
    defs_ = loaded.definitions;
    calendar_ = defs_->calendar(kTrack, kYear);
    if (!calendar_) throw std::runtime_error("no calendar secundair 2025-2026");
    choose_service();
  }

  RequestQuery query_for(const Scenario& s) const {
    RuleEngine rules(defs_);
    auto p = rules.visibility(
        *calendar_, ServiceRef{std::to_string(service_.id), service_.provinces}, brussels(s.now));
    if (!p) throw std::runtime_error("visibility rule: " + p.error().message);
    RequestQuery q;  // what Matching::list_requests builds for a service
    q.track = kTrack;
    q.year = std::string(kYear);
    q.service_id = service_.id;
    q.visibility = *p;
    q.tab = "open";
    q.provinces = s.provinces;
    q.postal_code = s.postal_code;
    q.page = 1;
    q.page_size = 50;
    return q;
  }

  // N store calls and nothing else (run.sh counts their network sends with strace).
  void probe(int calls) {
    RequestQuery q = query_for(scenarios_.front());
    auto store = open_store(url_);
    for (int i = 0; i < calls; ++i) check(store->requests(q));
  }

  // Every scenario, measured; returns the Markdown report.
  std::string measure(const fs::path& out_dir, const fs::path& server_log, int iterations,
                      int rounds, const std::string& pgbench) {
    std::vector<Outcome> outcomes;
    for (const Scenario& s : scenarios_) {
      std::cerr << "==> scenario " << s.key << "\n";
      outcomes.push_back(run_scenario(s, out_dir, server_log, iterations, rounds, pgbench));
      explain(outcomes.back());
    }
    return data_section() + results_section(outcomes, iterations, rounds);
  }

 private:
  static void check(const StoreResult<RequestPage>& page) {
    if (!page)
      throw std::runtime_error("store: " + page.error().code + ": " + page.error().message);
  }

  // What one scenario gave.
  struct Outcome {
    Scenario scenario;
    RequestQuery query;
    RequestPage page;
    Captured captured;
    fs::path script;
    Stats ours;
    Stats simple;    // pgbench -M simple: one Query message per statement
    Stats extended;  // pgbench -M extended: Parse/Bind/Execute/Sync per statement, one trip too
    double cpu_per_call = 0;           // CPU time of our process per store call, µs
    std::vector<double> round_ratios;  // per round: our median / the faster bare median
    std::string load_before;           // 1-minute load average when the scenario started
    std::string load_after;
    std::vector<std::string> plans;  // one per captured statement
    std::set<std::string> indexes;   // every index the plans use
    bool seq_scan_on_requests = false;
  };

  Outcome run_scenario(const Scenario& s, const fs::path& out_dir, const fs::path& server_log,
                       int iterations, int rounds, const std::string& pgbench) {
    Outcome o;
    o.scenario = s;
    o.query = query_for(s);
    o.script = out_dir / (s.key + ".sql");
    o.captured = capture(server_log, o.query, o.page);
    write_script(o.script, o.captured);
    verify(o.captured, o.page);

    auto store = open_store(url_);
    for (int i = 0; i < kWarmup; ++i) check(store->requests(o.query));
    run_pgbench(pgbench, "simple", o.script, kWarmup, out_dir / (s.key + "_warmup"), false);
    std::vector<double> ours;
    std::map<std::string, std::vector<double>> bare;
    double cpu = 0;  // our process's CPU time during the timed calls, µs
    const int per_round = std::max(1, iterations / rounds);
    o.load_before = load_average();
    for (int r = 0; r < rounds; ++r) {
      const double cpu_before = own_cpu_us();
      for (int i = 0; i < per_round; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        check(store->requests(o.query));
        auto t1 = std::chrono::steady_clock::now();
        ours.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      }
      cpu += own_cpu_us() - cpu_before;
      // Both protocols, in turn first, so neither always follows our calls.
      for (const char* mode :
           r % 2 ? std::array{"extended", "simple"} : std::array{"simple", "extended"}) {
        auto prefix = out_dir / (s.key + "_" + mode + "_r" + std::to_string(r));
        auto latencies = run_pgbench(pgbench, mode, o.script, per_round, prefix, true);
        bare[mode].insert(bare[mode].end(), latencies.begin(), latencies.end());
      }
      auto round_median = [&](const std::vector<double>& all) {
        return stats_of(std::vector<double>(all.end() - per_round, all.end())).median;
      };
      o.round_ratios.push_back(round_median(ours) / std::min(round_median(bare["simple"]),
                                                             round_median(bare["extended"])));
    }
    o.load_after = load_average();
    o.cpu_per_call = cpu / static_cast<double>(ours.size());
    o.ours = stats_of(ours);
    o.simple = stats_of(bare["simple"]);
    o.extended = stats_of(bare["extended"]);
    return o;
  }

  // EXPLAIN (ANALYZE, BUFFERS) of every statement, after the measurement (warm cache), and the
  // indexes the plans use.
  void explain(Outcome& o) {
    for (const std::string& sql : o.captured.queries) {
      std::string plan;
      for (const PgRow& row : pg_.query("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
        const std::string& line = row.at(0).value_or("");
        plan += line + "\n";
        for (std::string_view marker : {" using ", "Bitmap Index Scan on "}) {
          if (auto at = line.find(marker); at != std::string::npos) {
            std::string name = line.substr(at + marker.size());
            o.indexes.insert(name.substr(0, name.find(' ')));
          }
        }
        if (line.find("Seq Scan on requests") != std::string::npos) o.seq_scan_on_requests = true;
      }
      o.plans.push_back(plan);
    }
  }

  static std::string results_section(const std::vector<Outcome>& outcomes, int iterations,
                                     int rounds) {
    std::ostringstream summary;
    std::ostringstream verdicts;
    std::ostringstream details;
    std::size_t statements = 0;
    bool all_indexed = true;
    summary << "| scenario | rows | ours median | bare median: simple / extended | ratio | "
               "ours p99 | bare p99: simple / extended | ratio | indexes used |\n"
            << "|---|---:|---:|---:|---:|---:|---:|---:|---|\n";
    for (const Outcome& o : outcomes) {
      std::string index_note;
      for (const auto& i : o.indexes) index_note += (index_note.empty() ? "" : ", ") + i;
      if (o.seq_scan_on_requests) index_note += " (and a Seq Scan on requests)";
      // Against the faster bare run: the stricter comparison.
      const double bare_median = std::min(o.simple.median, o.extended.median);
      const double bare_p99 = std::min(o.simple.p99, o.extended.p99);
      const double bare_min = std::min(o.simple.min, o.extended.min);
      const Stats rr = stats_of(o.round_ratios);
      const double ratio = o.ours.median / bare_median;
      summary << "| " << o.scenario.key << " | " << o.page.total << " | " << ms(o.ours.median)
              << " ms | " << ms(o.simple.median) << " / " << ms(o.extended.median) << " ms | "
              << fixed(ratio, 2) << "x | " << ms(o.ours.p99) << " ms | " << ms(o.simple.p99)
              << " / " << ms(o.extended.p99) << " ms | " << fixed(o.ours.p99 / bare_p99, 2)
              << "x | " << index_note << " |\n";
      verdicts << "- " << o.scenario.key << ": median " << fixed(ratio, 2) << "x, "
               << (ratio <= 1.5 ? "within" : "**above**") << " the 1.5x goal (ours "
               << ms(o.ours.median) << " ms, faster bare " << ms(bare_median) << " ms, difference "
               << ms(o.ours.median - bare_median) << " ms); p99 " << fixed(o.ours.p99 / bare_p99, 2)
               << "x; fastest call (the closest to an idle machine) " << ms(o.ours.min)
               << " against " << ms(bare_min) << " ms, " << fixed(o.ours.min / bare_min, 2)
               << "x; round by round the median ratio went from " << fixed(rr.min, 2) << "x to "
               << fixed(rr.max, 2) << "x (load average " << o.load_before << " at the start, "
               << o.load_after << " at the end).\n";
      details << scenario_section(o);
      statements = o.captured.queries.size();
      all_indexed = all_indexed && !o.seq_scan_on_requests && !o.indexes.empty();
    }
    std::ostringstream md;
    md << "## Results\n\n"
       << "Latency of one whole list call, in milliseconds; " << iterations
       << " timed calls per side and scenario, in " << rounds
       << " alternating rounds (store calls in this process, then a pgbench run), after " << kWarmup
       << " untimed warm-up calls each; the first " << kFreshConnection
       << " transactions of every pgbench run (a new connection filling its caches) are not "
          "counted. Bare runs twice per round, with `-M simple` (what `pgbench -n -f` does by "
          "default) and `-M extended`; the ratio is ours over the faster of the two, "
          "separately for median and p99. Median and p99 are nearest-rank over all samples of "
          "a side.\n\n"
       << summary.str() << "\n"
       << "## Reading the numbers\n\n"
       << "Goal 1, ours within 1.5x of the bare statements (median):\n\n"
       << verdicts.str() << "\n"
       << "The goal is read on the median. p99 on this machine is mostly scheduling noise (2 "
          "shared cores, other builds running) and moves a lot between runs; ours, with twice "
          "the round trips, gives the scheduler twice the chances to make it wait.\n\n"
       << "Goal 2, the query uses an index: "
       << (all_indexed ? "yes, in every scenario every access to `requests` is an index, "
                         "index-only or bitmap index scan (plans below), no sequential scan of "
                         "`requests`."
                       : "**not everywhere**: see the plans below.")
       << "\n\n"
       << "What is compared: ours is one `Store::requests(query)` call in this process: lease a "
          "pooled session, BEGIN, the list's "
       << statements
       << " statement(s) through Poco 1.11, COMMIT, and turning the rows into RequestRecords "
          "(every cell copied into Poco's Nullable<std::string> columns, then each row's "
          "fields_json and transport parsed). Bare is pgbench running exactly those statements "
          "(values in place of the parameters) between BEGIN and COMMIT, one round trip each with "
          "either protocol, its results discarded. The difference is the driver "
          "and the client: Poco 1.11 prepares (Parse), describes (Describe), executes "
          "(Bind+Execute) and later deallocates every statement, 4 round trips where pgbench "
          "needs 1, so "
       << 4 * statements + 2 << " round trips against " << statements + 2
       << " per call (counted below); the server also parses and plans each statement either "
          "way (a prepared statement used once gets a custom plan, like a literal query). On a "
          "loaded machine every round trip is also a wake-up that may wait for a core, so the "
          "gap grows with the load and weighs most on the cheapest query.\n\n"
       << "What would close the rest of the gap (outside the list's SQL, not done here): a read "
          "of one statement needs no BEGIN/COMMIT at READ COMMITTED (2 round trips, "
          "plugins/storage/sql_db.cpp), and reads through libpq's PQexecParams instead of "
          "Poco's prepare/describe/execute/deallocate would need 1 round trip per statement "
          "instead of 4.\n\n"
       << details.str();
    return md.str();
  }
  // A typical service: the median one by the number of open students that chose it this school
  // year. The filters are those of its own province.
  void choose_service() {
    auto rows = pg_.query(
        "SELECT preferred_service_id, COUNT(*) FROM requests"
        " WHERE track = 'secundair' AND year = '2025-2026' AND state = 'active'"
        " AND accepted_by IS NULL AND preferred_service_id IS NOT NULL"
        " GROUP BY preferred_service_id ORDER BY COUNT(*), preferred_service_id");
    if (rows.empty()) throw std::runtime_error("no data: run stagematch_bench_generate first");
    const PgRow& median = rows[rows.size() / 2];
    Id id = std::stoll(median.at(0).value());
    auto store = open_store(url_);
    auto org = store->organisation(id);
    if (!org)
      throw std::runtime_error("service " + std::to_string(id) + ": " + org.error().message);
    service_ = *org;
    const std::string province = service_.provinces.front();
    std::string prefix = pg_.scalar(
        "SELECT LEFT(postal_code, 2) FROM requests WHERE year = '2025-2026' AND province = " +
        sql_literal(province) + " GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 1");
    scenarios_ = {
        {"preferred_province",
         "Round 2 (preferred service), filter province " + province,
         "2025-09-10 10:00",
         {province},
         ""},
        {"open_postal_prefix",
         "Round 3 (open to all), filter postal code " + prefix + "*",
         "2025-09-25 10:00",
         {},
         prefix},
        {"open_unfiltered", "Round 3 (open to all), no filter", "2025-09-25 10:00", {}, ""},
    };
  }

  // One store call on a fresh store with log_statement = 'all'; returns what the server log shows
  // from the call's BEGIN on (before it: setting up the pooled session, once per connection).
  Captured capture(const fs::path& server_log, const RequestQuery& q, RequestPage& page) {
    const std::string db = quote_ident(database_);
    const std::uintmax_t offset = fs::file_size(server_log);
    pg_.query("ALTER DATABASE " + db + " SET log_statement = 'all'");
    try {
      auto store = open_store(url_);  // a new session: it picks the setting up
      auto result = store->requests(q);
      check(result);
      page = *result;
    } catch (...) {
      pg_.query("ALTER DATABASE " + db + " RESET log_statement");
      throw;
    }
    pg_.query("ALTER DATABASE " + db + " RESET log_statement");
    // Poco deallocates its prepared statements after the COMMIT; wait until every one is logged.
    Captured c;
    for (int attempt = 0; attempt < 50; ++attempt) {
      c = parse_log(read_from(server_log, offset));
      auto deallocations = std::count_if(c.other.begin(), c.other.end(),
                                         [](const auto& s) { return s.starts_with("DEALLOCATE"); });
      bool committed = std::find(c.other.begin(), c.other.end(), "COMMIT") != c.other.end();
      if (committed && deallocations >= static_cast<long>(c.queries.size())) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (c.queries.empty() || std::find(c.other.begin(), c.other.end(), "COMMIT") == c.other.end())
      throw std::runtime_error("the store's statements are not in " + server_log.string());
    return c;
  }

  static void write_script(const fs::path& path, const Captured& c) {
    std::ofstream out(path);
    out << "BEGIN;\n";
    for (const auto& sql : c.queries) out << sql << ";\n";
    out << "COMMIT;\n";
    if (!out) throw std::runtime_error("cannot write " + path.string());
  }

  // The bare statements give what the store returned: the page's ids in the same order (the first
  // column of one statement), the same total (a COUNT, or a column equal to it on every row) and,
  // when the transport modes are a statement of their own, as many transport rows.
  void verify(const Captured& c, const RequestPage& page) {
    if (page.items.empty()) throw std::runtime_error("the scenario's page is empty");
    const std::string total = std::to_string(page.total);
    bool ids_found = false;
    bool total_found = false;
    bool transport_ok = true;
    for (const std::string& sql : c.queries) {
      auto rows = pg_.query(sql);
      if (rows.size() == 1 && rows[0].size() == 1 && rows[0][0] == total) total_found = true;
      if (sql.find("FROM request_transport WHERE request_id IN") != std::string::npos) {
        std::size_t modes = 0;
        for (const auto& item : page.items) modes += item.transport.size();
        transport_ok = rows.size() == modes;
        continue;
      }
      if (rows.size() != page.items.size()) continue;
      bool same = true;
      for (std::size_t i = 0; same && i < rows.size(); ++i)
        same = !rows[i].empty() && rows[i][0] == std::to_string(page.items[i].id);
      if (!same) continue;
      ids_found = true;
      for (std::size_t col = 1; col < rows[0].size(); ++col) {
        total_found = total_found || std::all_of(rows.begin(), rows.end(), [&](const PgRow& r) {
                        return r.at(col) == total;
                      });
      }
    }
    if (!ids_found || !total_found || !transport_ok)
      throw std::runtime_error("the bare statements do not give what the store returned");
  }

  // Runs pgbench with the query protocol `mode`; returns the per-transaction latencies (µs)
  // from its log when `log` is set, without the fresh connection's first transactions.
  std::vector<double> run_pgbench(const std::string& pgbench, const std::string& mode,
                                  const fs::path& script, int transactions, const fs::path& prefix,
                                  bool log) const {
    const int skipped = log ? kFreshConnection : 0;
    std::vector<std::string> args = {pgbench, "-n",
                                     "-M",    mode,
                                     "-f",    script.string(),
                                     "-t",    std::to_string(transactions + skipped),
                                     "-c",    "1"};
    if (log) {
      args.push_back("-l");
      args.push_back("--log-prefix=" + prefix.string());
    }
    args.push_back(url_);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    fs::path output = prefix.string() + ".out";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, pgbench.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + pgbench);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      throw std::runtime_error("pgbench failed, see " + output.string());
    std::vector<double> latencies;
    if (!log) return latencies;
    // pgbench -l writes PREFIX.PID: client_id transaction_no time_us script_no epoch epoch_us,
    // transactions numbered from 1.
    const std::string stem = prefix.filename().string() + ".";
    int logged = 0;
    for (const auto& entry : fs::directory_iterator(prefix.parent_path())) {
      const std::string name = entry.path().filename().string();
      if (!name.starts_with(stem) || name.ends_with(".out")) continue;
      std::ifstream in(entry.path());
      long client = 0;
      long tx = 0;
      double us = 0;
      for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        if (!(fields >> client >> tx >> us) || tx <= skipped) continue;
        ++logged;
        // A logged latency of 0 µs is no real transaction time (it happened once in a run of
        // 1000): such lines are left out, and that side's n shows it.
        if (us > 0) latencies.push_back(us);
      }
    }
    if (logged != transactions)
      throw std::runtime_error("pgbench log of " + prefix.string() + " has " +
                               std::to_string(logged) + " transactions");
    return latencies;
  }

  std::string data_section() {
    std::ostringstream md;
    md << "## Data\n\n"
       << "| what | rows |\n|---|---:|\n";
    for (const auto& [label, sql] : std::vector<std::pair<std::string, std::string>>{
             {"requests (all years)", "SELECT COUNT(*) FROM requests"},
             {"school years", "SELECT COUNT(DISTINCT year) FROM requests"},
             {"requests 2025-2026", "SELECT COUNT(*) FROM requests WHERE year = '2025-2026'"},
             {"accepted", "SELECT COUNT(*) FROM requests WHERE accepted_by IS NOT NULL"},
             {"with a preferred service",
              "SELECT COUNT(*) FROM requests WHERE preferred_service_id IS NOT NULL"},
             {"services", "SELECT COUNT(*) FROM organisations WHERE type = 'service'"},
             {"schools", "SELECT COUNT(*) FROM organisations WHERE type = 'school'"},
             {"contact persons", "SELECT COUNT(*) FROM contacts"},
             {"transport rows", "SELECT COUNT(*) FROM request_transport"},
             {"service statuses", "SELECT COUNT(*) FROM service_statuses"},
             {"audit rows", "SELECT COUNT(*) FROM audit_log"},
         }) {
      md << "| " << label << " | " << pg_.scalar(sql) << " |\n";
    }
    md << "\nTable sizes: requests "
       << pg_.scalar("SELECT pg_size_pretty(pg_table_size('requests'))") << " (indexes "
       << pg_.scalar("SELECT pg_size_pretty(pg_indexes_size('requests'))") << "), whole database "
       << pg_.scalar("SELECT pg_size_pretty(pg_database_size(current_database()))") << ".\n\n"
       << "The service for every scenario: id " << service_.id << " (" << service_.name
       << ", provinces ";
    for (std::size_t i = 0; i < service_.provinces.size(); ++i)
      md << (i ? ", " : "") << service_.provinces[i];
    md << "), the median service by the number of open students that chose it in 2025-2026.\n\n";
    return md.str();
  }

  static std::string scenario_section(const Outcome& o) {
    const Scenario& s = o.scenario;
    const RequestQuery& q = o.query;
    const RequestPage& page = o.page;
    const Captured& c = o.captured;
    std::ostringstream md;
    md << "### " << s.key << ": " << s.title << "\n\n"
       << "Moment " << s.now << " (Brussels). RequestQuery: track " << q.track << ", year "
       << *q.year << ", service " << *q.service_id << ", tab " << q.tab;
    if (!q.provinces.empty()) md << ", provinces " << q.provinces.front();
    if (!q.postal_code.empty()) md << ", postal code starting with " << q.postal_code;
    md << ", default sort, page " << q.page << " of " << q.page_size << ".\n"
       << "Visibility predicate from rules/visibility.lua: `" << describe(*q.visibility)
       << "`.\nResult: " << page.total << " rows in all, " << page.items.size()
       << " on the page.\n\n"
       << "| side | n | median | p90 | p99 | mean | min |\n|---|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& [side, st] : std::vector<std::pair<std::string, Stats>>{
             {"ours: Store::requests()", o.ours},
             {"bare: pgbench -n -M simple -f", o.simple},
             {"bare: pgbench -n -M extended -f", o.extended}}) {
      md << "| " << side << " | " << st.n << " | " << ms(st.median) << " | " << ms(st.p90) << " | "
         << ms(st.p99) << " | " << ms(st.mean) << " | " << ms(st.min) << " |\n";
    }
    md << "\nRatio ours / faster bare: median "
       << fixed(o.ours.median / std::min(o.simple.median, o.extended.median), 2) << "x, p99 "
       << fixed(o.ours.p99 / std::min(o.simple.p99, o.extended.p99), 2) << "x.\n"
       << "CPU time of this process per store call (getrusage: Poco, reading the rows into "
          "RequestRecords, the JSON of every row): "
       << ms(o.cpu_per_call) << " ms of the " << ms(o.ours.median) << " ms median.\n\n"
       << "What the server was asked during one store call (server log, log_statement = all; it "
          "does not show the Parse and Describe before each execute):\n\n"
       << "```\n";
    for (const auto& line : c.other) md << line << "\n";
    md << "```\n\nThe bare script (`" << o.script.filename().string()
       << "`, checked to give what the store returned: the same total and the same ids in the "
          "same order):\n\n"
       << "```sql\nBEGIN;\n";
    for (const auto& sql : c.queries) md << sql << ";\n";
    md << "COMMIT;\n```\n\n";
    for (std::size_t i = 0; i < o.plans.size(); ++i) {
      md << "EXPLAIN (ANALYZE, BUFFERS) of statement " << i + 1 << " of " << o.plans.size() << " ("
         << label_of(c.queries[i]) << "):\n\n```\n"
         << o.plans[i] << "```\n\n";
    }
    return md.str();
  }

  std::string url_;
  PgClient pg_;
  std::string database_;
  std::shared_ptr<DefinitionSet> defs_;
  const Calendar* calendar_ = nullptr;
  Organisation service_;
  std::vector<Scenario> scenarios_;
};

int run(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: stagematch_bench_list measure|probe --url URL [...]\n";
    return 2;
  }
  const std::string mode = argv[1];
  Options opt(argc, argv, 2,
              {"url", "server-log", "out", "report", "iterations", "rounds", "pgbench", "workflows",
               "rules", "calls"});
  Bench bench(opt);
  if (mode == "probe") {
    bench.probe(static_cast<int>(opt.integer("calls", 10, 1, 100000)));
    return 0;
  }
  if (mode != "measure") throw std::invalid_argument("unknown mode " + mode);
  fs::path out = opt.required("out");
  fs::create_directories(out);
  std::string report = bench.measure(out, opt.required("server-log"),
                                     static_cast<int>(opt.integer("iterations", 1000, 10, 1000000)),
                                     static_cast<int>(opt.integer("rounds", 20, 1, 1000)),
                                     opt.text("pgbench", "pgbench"));
  std::ofstream(opt.required("report")) << report;
  std::cout << report;
  return 0;
}

}  // namespace
}  // namespace stagematch::bench

int main(int argc, char** argv) {
  try {
    return stagematch::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "stagematch_bench_list: " << e.what() << "\n";
    return 1;
  }
}
