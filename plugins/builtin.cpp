#include "builtin.hpp"

#include <stdexcept>

#include "export_formats.hpp"
#include "mail_plugin.hpp"
#include "store_plugin.hpp"

namespace stagematch {

void register_builtin_plugins(PluginRegistry& registry) {
  registry.stores.add("sqlite", StorePlugin{open_sql_store, backup_sqlite_store, ""});
  const StorePlugin postgresql{open_sql_store, nullptr,
                               "een PostgreSQL-databank kopieer je met pg_dump "
                               "(zie README, \"Back up and restore\")"};
  registry.stores.add("postgresql", postgresql);
  registry.stores.add("postgres", postgresql);

  registry.mailers.add("maildrop", [](const MailerSettings& s) {
    return make_mailer("", s.maildrop_dir, s.sender, false);
  });
  registry.mailers.add("smtp", [](const MailerSettings& s) {
    if (s.server.empty()) throw std::invalid_argument("--smtp verwacht HOST:POORT");
    return make_mailer(s.server, s.maildrop_dir, s.sender, s.starttls);
  });

  registry.exporters.add("csv", std::make_shared<CsvExporter>());
  registry.exporters.add("xlsx", std::make_shared<XlsxExporter>());
}

}  // namespace stagematch
