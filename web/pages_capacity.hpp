// Places against demand: a service's page of its places per track and school year (per round
// for CVO) with what remains, the admin's view of any service's places, and the dashboard's
// section per track: open requests against remaining places per province and round, with two
// charts drawn on the server and their tables.
#pragma once

#include "exporter.hpp"
#include "pages_common.hpp"
#include "pages_form.hpp"

namespace stagematch {

class CapacityPages {
 public:
  explicit CapacityPages(const PageKit& kit) : kit_(kit) {}

  HttpResponse places(HttpRequest& req) const;      // GET  /plaatsen (admin: ?dienst=ID)
  HttpResponse set_places(HttpRequest& req) const;  // POST /plaatsen

 private:
  // What was typed in one slot's form, kept when it is refused.
  struct Typed {
    std::string key;  // track/year/round
    std::string text;
    std::string message;
  };
  HttpResponse page(const HttpRequest& req, int status, std::optional<Id> service_id,
                    const std::string& notice, const Typed& typed) const;

  const PageKit& kit_;
};

// The dashboard's section for one track's calendar (the round in ?ronde= when ?traject= names
// this track, else the running one), or null when the calendar has no rounds.
DomainResult<Value> capacity_section(const PageKit& kit, const HttpRequest& req,
                                     const Calendar& calendar, const Choices& provinces);

// "Plaatsen per provincie" for the admin export: per track (its current calendar's running
// round) and province, the open requests, the known remaining places, the services without
// places and whether the region is short.
DomainResult<Table> capacity_export(const Services& services, const Actor& actor);

}  // namespace stagematch
