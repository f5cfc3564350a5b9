// Contact persons: a school's stage-/werkplekbegeleiders and a service's stagementoren. Each
// organisation manages its own; nobody sees or changes another organisation's.
#pragma once

#include <string>
#include <vector>

#include "audit_log.hpp"

namespace stagematch {

// A contact person's fields as typed (trimmed by the service).
struct ContactInput {
  std::string name;
  std::string phone;
  std::string email;
};

class Contacts {
 public:
  Contacts(Store& store, const Clock& clock);

  // The actor's own organisation's contact persons (schools and services; none for others).
  std::vector<ContactPerson> list(const Actor& actor) const;
  // One of the actor's own contact persons; not_found for another organisation's or none.
  DomainResult<ContactPerson> find(const Actor& actor, Id contact_id) const;

  // Each checks the fields (code "validation", one Dutch message per wrong field) and writes
  // nothing when one is wrong. Audited as contact.create, contact.edit, contact.delete.
  DomainResult<Id> create(const Actor& actor, const ContactInput& input);
  DomainResult<void> edit(const Actor& actor, Id contact_id, const ContactInput& input);
  // Refused with code "linked" while a student is linked to the contact person.
  DomainResult<void> remove(const Actor& actor, Id contact_id);

 private:
  Store& store_;
  const Clock& clock_;
};

}  // namespace stagematch
