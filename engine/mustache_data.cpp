#include "mustache_data.hpp"

#include <sstream>
#include <string>

namespace stagematch {

kainjow::mustache::data mustache_data(const Value& v) {
  using kainjow::mustache::data;
  if (v.is_null()) return data(false);
  if (v.is_bool()) return data(v.as_bool());
  if (v.is_int()) return data(std::to_string(v.as_int()));
  if (v.is_number()) {
    std::ostringstream s;
    s << v.as_number();
    return data(s.str());
  }
  if (v.is_string()) return v.as_string().empty() ? data(false) : data(v.as_string());
  if (v.is_array()) {
    data list(data::type::list);
    for (const auto& item : v.as_array()) list.push_back(mustache_data(item));
    return list;
  }
  data object(data::type::object);
  for (const auto& [key, item] : v.as_object()) object.set(key, mustache_data(item));
  return object;
}

}  // namespace stagematch
