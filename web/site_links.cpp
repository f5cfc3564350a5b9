#include "site_links.hpp"

#include <utility>

namespace stagematch {

namespace {

class SiteLinks final : public Links {
 public:
  explicit SiteLinks(std::string base_url) : base_(std::move(base_url)) {
    while (base_.ends_with('/')) base_.pop_back();
  }

  std::string site() const override { return base_; }
  std::string activation(const std::string& token) const override {
    return base_ + "/activeren?token=" + token;
  }
  std::string password_reset(const std::string& token) const override {
    return base_ + "/wachtwoord-herstellen?token=" + token;
  }
  std::string school_requests(const std::string& track) const override {
    return base_ + "/school/" + track;
  }
  std::string service_requests(const std::string& track) const override {
    return base_ + "/dienst/" + track;
  }

 private:
  std::string base_;
};

}  // namespace

std::shared_ptr<const Links> site_links(std::string base_url) {
  return std::make_shared<SiteLinks>(std::move(base_url));
}

}  // namespace stagematch
