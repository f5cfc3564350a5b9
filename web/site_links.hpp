// The links in mails, to the pages of page_routes.cpp: the one place that writes a page path
// for the engine (engine/links.hpp).
#pragma once

#include <memory>
#include <string>

#include "links.hpp"  // the engine's interface

namespace stagematch {

// Links on `base_url` ("https://stagematching.org"; a trailing slash is dropped).
std::shared_ptr<const Links> site_links(std::string base_url);

}  // namespace stagematch
