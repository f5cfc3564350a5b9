// Value to kainjow mustache data: one conversion for the mail templates and the HTML pages, so
// a template reads its data the same way wherever it is rendered.
#pragma once

#include <kainjow/mustache.hpp>

#include "value.hpp"

namespace stagematch {

// Objects and lists as they are; numbers as their text (an integer without decimals); a
// boolean as itself. Null and an empty text are false, as in other mustache implementations,
// so {{#x}}...{{/x}} leaves out what is not there and {{^x}} shows what stands in for it.
kainjow::mustache::data mustache_data(const Value& v);

}  // namespace stagematch
