// The sector fund's pages: a dashboard of open, invited and accepted requests per track,
// province and round, organisations, invitations, the audit log, the mail outbox with each
// mail's content, and the school-year calendars (upload, validation with positions, the
// timeline, publish).
#pragma once

#include "pages_common.hpp"
#include "pages_form.hpp"

namespace stagematch {

class AdminPages {
 public:
  explicit AdminPages(const PageKit& kit) : kit_(kit) {}

  HttpResponse dashboard(HttpRequest& req) const;            // GET  /admin
  HttpResponse organisations(HttpRequest& req) const;        // GET  /admin/organisaties
  HttpResponse create_organisation(HttpRequest& req) const;  // POST /admin/organisaties
  HttpResponse invitations(HttpRequest& req) const;          // GET  /admin/uitnodigingen
  HttpResponse invite(HttpRequest& req) const;               // POST /admin/uitnodigingen
  HttpResponse audit(HttpRequest& req) const;                // GET  /admin/audit
  HttpResponse mails(HttpRequest& req) const;                // GET  /admin/mails
  HttpResponse mail(HttpRequest& req) const;                 // GET  /admin/mails/{id}
  HttpResponse resend_mail(HttpRequest& req) const;          // POST /admin/mails/{id}/opnieuw

 private:
  struct OrgForm {
    std::string type;
    std::string name;
    std::set<std::string> provinces;
    std::set<std::string> tracks;
    FieldMessages errors;
  };
  struct InviteForm {
    std::string email;
    std::string role;
    std::string org_id;
    FieldMessages errors;
    std::string error;
  };
  HttpResponse organisations_page(const HttpRequest& req, int status, const OrgForm& form,
                                  const std::string& notice) const;
  HttpResponse invitations_page(const HttpRequest& req, int status, const InviteForm& form,
                                const std::string& notice) const;

  const PageKit& kit_;
};

class CalendarPages {
 public:
  explicit CalendarPages(const PageKit& kit) : kit_(kit) {}

  HttpResponse list(HttpRequest& req) const;     // GET  /admin/kalenders
  HttpResponse check(HttpRequest& req) const;    // POST /admin/kalenders/controleren
  HttpResponse publish(HttpRequest& req) const;  // POST /admin/kalenders/publiceren

 private:
  HttpResponse page(const HttpRequest& req, int status, Object result, const std::string& yaml,
                    const std::string& file_name, const std::string& notice) const;

  const PageKit& kit_;
};

// Province codes with their Dutch names, as the request fields define them.
Choices province_choices(const DefinitionSet& defs);

}  // namespace stagematch
