#include "scheduler.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <iostream>

namespace stagematch {

namespace {

// A clock standing still at one moment: a reminder counts what a service's list showed at the
// reminder's own time, even when the scheduler runs it later (after a clock jump).
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Instant at) : at_(at) {}
  Instant now() const override { return at_; }

 private:
  Instant at_;
};

struct DueEvent {
  const Calendar* calendar;
  TimedEvent event;
};

bool has(const std::vector<std::string>& list, const char* item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

struct Scheduler::Loop {
  boost::asio::io_context io;
  boost::asio::steady_timer timer{io};
  std::thread thread;
  std::function<void()> tick;
  bool stopping = false;
};

Scheduler::Scheduler(Store& store, MailQueue& queue, const MailComposer& mail,
                     std::function<std::shared_ptr<const DefinitionSet>()> definitions,
                     const Clock& clock, SchedulerOptions options)
    : store_(store),
      queue_(queue),
      mail_(mail),
      definitions_(std::move(definitions)),
      clock_(clock),
      options_(options),
      started_at_(clock.now()) {}

Scheduler::~Scheduler() { stop(); }

std::vector<OutboxMail> Scheduler::mails_for(const DefinitionSet& defs, const Calendar& calendar,
                                             const TimedEvent& event, bool late) {
  const Workflow* workflow = defs.workflow(calendar.track);
  const Round* round = nullptr;
  for (const auto& r : calendar.rounds)
    if (r.id == event.round_id) round = &r;
  Object base{{"track", calendar.track},
              {"track_label", workflow ? workflow->label : calendar.track},
              {"year", calendar.year},
              {"kind", event.kind},
              {"message", event.message},
              {"at", format_local_nl(event.at)},
              {"late", late},
              {"planned", format_local_nl(event.at)}};
  if (round) {
    base["round"] = round->id;
    base["round_label"] = round->label;
    base["opens"] = format_local_nl(round->window.opens);
    if (round->window.closes) base["closes"] = format_end_nl(*round->window.closes);
  }

  std::vector<OutboxMail> out;
  auto add = [&](Id org_id, const std::string& template_name, Object data) {
    for (const auto& address : queue_.org_addresses(org_id)) {
      OutboxMail m = mail_.compose(template_name, Value(data), address);
      m.dedupe_key = event.key() + "/" + std::to_string(org_id) + "/" + address;
      out.push_back(std::move(m));
    }
  };

  if (event.kind == "reminder") {
    // The same number the service's own list shows at the reminder's time.
    FixedClock then(event.at);
    Matching matching(store_, definitions_, then);
    for (const auto& service : store_.organisations(std::string(role::kService))) {
      ListInput in;
      in.year = calendar.year;
      in.page_size = 1;
      auto list = matching.list_requests(Actor{std::string(role::kService), 0, service.id},
                                         calendar.track, in);
      if (!list || list->total == 0) continue;
      Object data = base;
      data["count"] = list->total;
      data["service_name"] = service.name;
      data["link"] = mail_.links().service_requests(calendar.track);
      add(service.id, "reminder", std::move(data));
    }
    return out;
  }
  std::string template_name =
      event.kind;  // round_opens, round_closing_soon, round_closes, results_visible
  if (has(event.audience, "services"))
    for (const auto& service : store_.organisations(std::string(role::kService))) {
      Object data = base;
      data["organisation"] = service.name;
      data["link"] = mail_.links().service_requests(calendar.track);
      add(service.id, template_name, std::move(data));
    }
  if (has(event.audience, "schools"))
    for (const auto& school : store_.organisations(std::string(role::kSchool))) {
      if (std::find(school.tracks.begin(), school.tracks.end(), calendar.track) ==
          school.tracks.end())
        continue;
      Object data = base;
      data["organisation"] = school.name;
      data["link"] = mail_.links().school_requests(calendar.track);
      add(school.id, template_name, std::move(data));
    }
  return out;
}

SchedulerRun Scheduler::run_due() {
  std::lock_guard lock(run_mutex_);
  SchedulerRun run;
  auto defs = definitions_();
  Instant now = clock_.now();
  RuleEngine rules(defs);
  std::vector<DueEvent> due;
  for (const auto& [key, calendar] : defs->calendars) {
    auto events = rules.events(calendar);
    if (!events) {
      std::clog << "scheduler: kalender " << key << ": " << events.error().message << '\n';
      continue;
    }
    for (auto& e : *events)
      if (e.at <= now) due.push_back({&calendar, std::move(e)});
  }
  std::stable_sort(due.begin(), due.end(),
                   [](const DueEvent& a, const DueEvent& b) { return a.event.at < b.event.at; });
  for (const auto& d : due) {
    bool too_old = d.event.at < started_at_ - options_.catch_up;
    bool late = d.event.at < started_at_;
    std::vector<OutboxMail> mails;
    if (!too_old) {
      try {
        mails = mails_for(*defs, *d.calendar, d.event, late);
      } catch (const std::exception& e) {
        // A template problem: leave the event unclaimed so it is tried again after a fix.
        std::clog << "scheduler: " << d.event.key() << ": mails niet opgesteld: " << e.what()
                  << '\n';
        continue;
      }
    }
    auto claimed = queue_.claim_event(d.event.key(), d.event.at, now, mails);
    if (!claimed) {
      std::clog << "scheduler: " << d.event.key() << ": " << claimed.error().message << '\n';
      continue;
    }
    if (*claimed) {
      std::lock_guard health_lock(health_mutex_);
      health_.last_lateness_seconds = std::chrono::duration<double>(now - d.event.at).count();
    }
    if (*claimed) {
      ++run.events;
      run.mails += static_cast<int>(mails.size());
      if (!mails.empty())
        std::clog << "scheduler: " << d.event.key() << ": " << mails.size() << " mail(s)"
                  << (late ? " (laat)" : "") << '\n';
    }
  }
  run_daily(now);
  std::lock_guard health_lock(health_mutex_);
  health_.last_run = now;
  return run;
}

void Scheduler::set_daily_work(std::function<void()> work) {
  std::lock_guard lock(run_mutex_);
  daily_work_ = std::move(work);
}

void Scheduler::run_daily(Instant now) {
  if (!daily_work_) return;
  const std::string key = "daily/" + format_local_pattern(now, "%Y-%m-%d");
  if (key == daily_done_) return;
  LocalDateTime day = to_brussels(now);
  day.hour = day.minute = day.second = 0;
  auto claimed = queue_.claim_event(key, from_brussels(day), now, {});
  if (!claimed) {  // the database is away: the next run tries again
    std::clog << "scheduler: " << key << ": " << claimed.error().message << '\n';
    return;
  }
  daily_done_ = key;
  if (!*claimed) return;  // another instance does it today
  try {
    daily_work_();
  } catch (const std::exception& e) {
    std::clog << "scheduler: " << key << ": " << e.what() << '\n';
  }
}

Scheduler::Health Scheduler::health() const {
  std::lock_guard lock(health_mutex_);
  return health_;
}

std::optional<Instant> Scheduler::next_event_after(Instant now) {
  auto defs = definitions_();
  RuleEngine rules(defs);
  std::optional<Instant> next;
  for (const auto& [key, calendar] : defs->calendars) {
    auto events = rules.events(calendar);
    if (!events) continue;
    for (const auto& e : *events)
      if (e.at > now && (!next || e.at < *next)) next = e.at;
  }
  return next;
}

void Scheduler::start(std::function<void()> after_run) {
  if (loop_) return;
  loop_ = std::make_unique<Loop>();
  Loop& loop = *loop_;
  loop.tick = [this, &loop, after_run] {
    if (loop.stopping) return;
    try {
      SchedulerRun run = run_due();
      if (run.mails > 0 && after_run) after_run();
    } catch (const std::exception& e) {
      std::clog << "scheduler: " << e.what() << '\n';
    }
    Instant now = clock_.now();
    std::chrono::seconds wait = options_.max_sleep;
    if (auto next = next_event_after(now))
      wait = std::min(wait, std::max(std::chrono::seconds{1}, *next - now));
    loop.timer.expires_after(wait);
    loop.timer.async_wait([&loop](const boost::system::error_code&) { loop.tick(); });
  };
  boost::asio::post(loop.io, [&loop] { loop.tick(); });
  loop.thread = std::thread([&loop] { loop.io.run(); });
}

void Scheduler::notify() {
  if (!loop_) return;
  // Wakes the timer now: the tick runs at once and sets the next wait itself.
  boost::asio::post(loop_->io, [this] { loop_->timer.cancel(); });
}

void Scheduler::stop() {
  if (!loop_) return;
  boost::asio::post(loop_->io, [this] {
    loop_->stopping = true;
    loop_->timer.cancel();
    loop_->io.stop();
  });
  if (loop_->thread.joinable()) loop_->thread.join();
  loop_.reset();
}

}  // namespace stagematch
