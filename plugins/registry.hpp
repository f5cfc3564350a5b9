// The plugin registry: the databases (by URL scheme), mailers (by name) and export formats (by
// format) this program knows. register_builtin_plugins() (builtin.hpp) fills it once at
// start-up and freeze() then closes it: from there on it is read-only, so any thread may read
// it without a lock, and a registration that comes too late fails loudly instead of racing
// with requests. The command line opens stores and mailers through it; the web side sees only
// the export formats (Services::exporters). Nothing outside plugins/ names a plugin's own type.
#pragma once

#include <chrono>
#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "database.hpp"
#include "exporter.hpp"
#include "mailer.hpp"

namespace stagematch {

// A registration refused (a key that is taken, a registry already frozen) or a lookup of a key
// nobody registered; the message is Dutch and, for a lookup, lists the keys that do exist.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace plugin_detail {
// The Dutch messages, written once for every kind of plugin.
void refuse_registration(const std::string& kind, const std::string& key, bool frozen);
[[noreturn]] void unknown_key(const std::string& unknown, const std::string& key,
                              const std::vector<std::string>& known);
}  // namespace plugin_detail

// One kind of plugin by key, each key registered once, before freeze().
template <typename Entry>
class PluginTable {
 public:
  // `kind` names one key in messages ("exportformaat"); `unknown` is how a lookup of a missing
  // key starts ("onbekend exportformaat").
  PluginTable(std::string kind, std::string unknown)
      : kind_(std::move(kind)), unknown_(std::move(unknown)) {}

  // Throws PluginError when `key` is taken or the table is frozen.
  void add(const std::string& key, Entry entry) {
    if (frozen_ || entries_.contains(key)) plugin_detail::refuse_registration(kind_, key, frozen_);
    entries_.emplace(key, std::move(entry));
  }
  // Throws PluginError, naming the known keys, when nothing is registered under `key`.
  const Entry& get(const std::string& key) const {
    auto found = entries_.find(key);
    if (found == entries_.end()) plugin_detail::unknown_key(unknown_, key, keys());
    return found->second;
  }
  bool contains(const std::string& key) const { return entries_.contains(key); }
  std::vector<std::string> keys() const {  // in alphabetical order
    std::vector<std::string> out;
    for (const auto& [key, entry] : entries_) out.push_back(key);
    return out;
  }
  void freeze() { frozen_ = true; }
  bool frozen() const { return frozen_; }

 private:
  std::string kind_;
  std::string unknown_;
  bool frozen_ = false;
  std::map<std::string, Entry> entries_;
};

// How a store plugin opens its database.
struct StoreOpening {
  // How long to keep trying a database server that does not answer yet (serve --db-wait);
  // zero: one attempt.
  std::chrono::seconds wait{0};
  // Told of every failed attempt that will be tried again; may be empty.
  std::function<void(const std::string& line)> retrying;
};

// A store plugin: a kind of database, registered under the scheme of its URLs ("sqlite" for
// sqlite:PAD).
struct StorePlugin {
  // The database at `url`, its tables brought up to date. Throws with a Dutch message when it
  // cannot be opened: a start-up failure.
  std::function<std::unique_ptr<Database>(const std::string& url, const StoreOpening& opening)>
      open;
  // `stagematch backup`: copies the database at `url` into the new file `to` while it serves,
  // and says what was copied ("120 pagina's"), or why not. Throws std::invalid_argument when
  // `url` cannot be read. Empty when this kind of database is copied with tools of its own...
  std::function<std::expected<std::string, std::string>(const std::string& url,
                                                        const std::string& to)>
      backup;
  // ...which this says, in Dutch.
  std::string backup_elsewhere;
};

// What a mailer plugin may need; each takes what applies to it.
struct MailerSettings {
  std::string server;                  // smtp: HOST:PORT (the port defaults to 25)
  bool starttls = false;               // smtp: STARTTLS before anything else
  std::filesystem::path maildrop_dir;  // maildrop: where each mail becomes a file
  std::string sender;
};
// Throws std::invalid_argument when the settings cannot be right: a start-up failure.
using MailerFactory = std::function<std::unique_ptr<Mailer>(const MailerSettings& settings)>;

// The export formats by format name ("csv", "xlsx"): the extension of the API's export routes.
class ExporterRegistry : public PluginTable<std::shared_ptr<const Exporter>> {
 public:
  ExporterRegistry() : PluginTable("exportformaat", "onbekend exportformaat") {}
  const Exporter& exporter(const std::string& format) const { return *get(format); }
};

class PluginRegistry {
 public:
  PluginTable<StorePlugin> stores{"databanksoort", "onbekende databanksoort"};
  PluginTable<MailerFactory> mailers{"mailer", "onbekende mailer"};
  ExporterRegistry exporters;

  // Closes all three: every later registration throws PluginError.
  void freeze();
  bool frozen() const { return exporters.frozen(); }

  // The store plugin for `url` by its scheme, the text before the first ':' ("sqlite" for
  // sqlite:var/stagematch.db, "postgresql" for postgresql://...). Throws PluginError when there
  // is none; the message names the scheme, never the rest of the URL (it may hold a password).
  const StorePlugin& store_for(const std::string& url) const;
  // store_for(url).open(url, opening).
  std::unique_ptr<Database> open_store(const std::string& url,
                                       const StoreOpening& opening = {}) const;
  // mailers.get(name)(settings).
  std::unique_ptr<Mailer> make_mailer(const std::string& name,
                                      const MailerSettings& settings) const;
};

}  // namespace stagematch
