#include "registry.hpp"

namespace stagematch {

namespace plugin_detail {

void refuse_registration(const std::string& kind, const std::string& key, bool frozen) {
  if (frozen)
    throw PluginError(kind + " '" + key +
                      "' komt te laat: plugins worden bij de start geregistreerd, vóór de "
                      "registratie wordt afgesloten");
  throw PluginError(kind + " '" + key + "' is al geregistreerd; elke naam kan maar één keer");
}

void unknown_key(const std::string& unknown, const std::string& key,
                 const std::vector<std::string>& known) {
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  throw PluginError(unknown + " '" + key + "'; bekend: " + (list.empty() ? "geen" : list));
}

}  // namespace plugin_detail

void PluginRegistry::freeze() {
  stores.freeze();
  mailers.freeze();
  exporters.freeze();
}

const StorePlugin& PluginRegistry::store_for(const std::string& url) const {
  const auto colon = url.find(':');
  if (colon == std::string::npos || colon == 0) {
    std::string known;
    for (const auto& k : stores.keys()) known += (known.empty() ? "" : ", ") + k + ":";
    throw PluginError("een databankadres begint met zijn soort (" + known +
                      "), bv. sqlite:var/stagematch.db of "
                      "postgresql://gebruiker@host:poort/databank");
  }
  return stores.get(url.substr(0, colon));
}

std::unique_ptr<Database> PluginRegistry::open_store(const std::string& url,
                                                     const StoreOpening& opening) const {
  return store_for(url).open(url, opening);
}

std::unique_ptr<Mailer> PluginRegistry::make_mailer(const std::string& name,
                                                    const MailerSettings& settings) const {
  return mailers.get(name)(settings);
}

}  // namespace stagematch
