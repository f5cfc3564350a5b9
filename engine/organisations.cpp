#include "organisations.hpp"

#include <algorithm>

#include "service_support.hpp"

namespace stagematch {

namespace {

constexpr std::size_t kMaxName = 200;

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// The list without repeats, or a Dutch message when one entry is not in `allowed`.
std::vector<std::string> only_known(const std::vector<std::string>& given,
                                    const std::vector<std::string>& allowed,
                                    std::map<std::string, std::string>& problems,
                                    const std::string& field) {
  std::vector<std::string> out;
  for (const auto& g : given) {
    if (!contains(allowed, g)) {
      problems[field] = "Kies enkel uit: " + joined(allowed) + ".";
      return {};
    }
    if (!contains(out, g)) out.push_back(g);
  }
  return out;
}

}  // namespace

Organisations::Organisations(Store& store, AccountStore& account_store, Accounts& accounts,
                             std::function<std::shared_ptr<const DefinitionSet>()> definitions,
                             const Clock& clock)
    : store_(store),
      account_store_(account_store),
      accounts_(accounts),
      definitions_(std::move(definitions)),
      clock_(clock) {}

const std::vector<std::string>& Organisations::province_codes() {
  static const std::vector<std::string> kCodes = {"ANT", "BRU", "LIM", "OVL", "VBR", "WVL"};
  return kCodes;
}

DomainResult<Id> Organisations::create(const Actor& actor, const NewOrganisation& input) {
  if (auto ok = service::admin_only(actor); !ok) return std::unexpected(ok.error());
  std::map<std::string, std::string> problems;
  const std::string& type = input.type;
  if (type != role::kSchool && type != role::kService)
    problems["type"] = "Kies school of dienst gezinszorg.";
  std::string name = service::trimmed(input.name);
  if (name.empty())
    problems["name"] = "Vul een naam in.";
  else if (name.size() > kMaxName)
    problems["name"] = "De naam is te lang: maximaal 200 tekens.";
  std::vector<std::string> tracks_known;
  for (const auto& [id, workflow] : definitions_()->workflows) tracks_known.push_back(id);
  std::vector<std::string> provinces =
      only_known(input.provinces, province_codes(), problems, "provinces");
  std::vector<std::string> tracks = only_known(input.tracks, tracks_known, problems, "tracks");
  if (type == role::kService) {
    if (provinces.empty() && !problems.contains("provinces"))
      problems["provinces"] = "Kies minstens één provincie waarin de dienst actief is.";
    if (!tracks.empty()) problems["tracks"] = "Enkel scholen hebben trajecten.";
  }
  if (type == role::kSchool) {
    if (tracks.empty() && !problems.contains("tracks"))
      problems["tracks"] = "Kies minstens één traject waarin de school mag inschrijven.";
    if (!provinces.empty()) problems["provinces"] = "Enkel diensten hebben provincies.";
  }
  if (!problems.empty()) return std::unexpected(service::invalid(std::move(problems)));
  auto id = store_.create_organisation(Organisation{0, type, name, provinces, tracks});
  if (!id) {
    DomainError e = domain::from_store(id.error());
    if (e.code == "duplicate" || e.code == "conflict") e.fields["name"] = e.message;
    return std::unexpected(std::move(e));
  }
  store_.append_audit(audit_entry(actor, clock_.now(), "org.create", "org", *id, type));
  return *id;
}

std::vector<Organisation> Organisations::list(const std::string& type) const {
  return store_.organisations(type);
}

std::shared_ptr<const std::vector<Organisation>> Organisations::shared_list(
    const std::string& type) const {
  return store_.shared_organisations(type);
}

std::optional<Organisation> Organisations::find(Id id) const {
  auto org = store_.organisation(id);
  if (!org) return std::nullopt;
  return *org;
}

DomainResult<Id> Organisations::invite(const Actor& actor, const std::string& email,
                                       const std::string& role, std::optional<Id> org_id) {
  return accounts_.invite(actor, email, role, org_id);
}

DomainResult<std::vector<User>> Organisations::users(const Actor& actor) const {
  if (auto ok = service::admin_only(actor); !ok) return std::unexpected(ok.error());
  return account_store_.users(std::nullopt);
}

}  // namespace stagematch
