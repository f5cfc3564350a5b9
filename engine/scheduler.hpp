// Timed work: round opens and closes, "closing soon", weekly reminders and results dates, as
// the rules derive them from the calendars. Each event is claimed in the database before its
// mails are queued (in the same transaction), so a restart, a clock jump or a second server
// instance never sends a round mail twice; an event missed while the server was down goes out
// when it comes back, saying so.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "accounts.hpp"
#include "definitions.hpp"
#include "mailer.hpp"
#include "matching.hpp"

namespace stagematch {

struct SchedulerOptions {
  // Events further back than this before the server started are not sent any more (a first
  // start with old calendars must not mail about rounds of years ago).
  std::chrono::seconds catch_up{std::chrono::hours{72}};
  // Longest sleep between two looks at the clock (a test clock can jump).
  std::chrono::seconds max_sleep{60};
};

struct SchedulerRun {
  int events = 0;  // events this instance claimed (sent or skipped)
  int mails = 0;   // mails queued
};

class Scheduler {
 public:
  Scheduler(Store& store, MailQueue& queue, const MailComposer& mail,
            std::function<std::shared_ptr<const DefinitionSet>()> definitions, const Clock& clock,
            SchedulerOptions options = {});
  ~Scheduler();

  // Claims and handles every event due by now, in time order; then, once per Brussels day,
  // the daily work (below).
  SchedulerRun run_due();
  // Work done once a day (the erasure of personal data past its retention): the first run of
  // each day claims that day in the database, so with several instances only one does it.
  void set_daily_work(std::function<void()> work);
  // A background thread on a Boost.Asio timer that wakes at the next event (or on notify()).
  void start(std::function<void()> after_run = {});
  void notify();
  void stop();

  // For the operator: when the scheduler last looked for due events, and how late after its
  // planned moment the last event it claimed was handled (seconds).
  struct Health {
    std::optional<Instant> last_run;
    double last_lateness_seconds = 0;
  };
  Health health() const;

 private:
  std::vector<OutboxMail> mails_for(const DefinitionSet& defs, const Calendar& calendar,
                                    const TimedEvent& event, bool late);
  std::optional<Instant> next_event_after(Instant now);

  Store& store_;
  MailQueue& queue_;
  const MailComposer& mail_;
  std::function<std::shared_ptr<const DefinitionSet>()> definitions_;
  const Clock& clock_;
  SchedulerOptions options_;
  Instant started_at_;
  std::mutex run_mutex_;
  mutable std::mutex health_mutex_;
  Health health_;
  struct Loop;
  std::unique_ptr<Loop> loop_;
  std::function<void()> daily_work_;
  std::string daily_done_;  // the key of the last day this instance saw claimed
  void run_daily(Instant now);
};

}  // namespace stagematch
