#include "lua_values.hpp"

#include <algorithm>
#include <climits>
#include <optional>
#include <utility>

namespace stagematch {

namespace {

// A rule answer nested deeper than this is refused; it also stops a table that contains itself.
constexpr int kMaxResultDepth = 32;

// Converts a rule's answer to a Value. Runs inside the protected evaluation: a Lua error here
// (stack overflow, memory) is an ordinary evaluation failure.
class ResultReader {
 public:
  ResultReader(lua_State* L, std::size_t max_values) : L_(L), max_values_(max_values) {}

  // Converts the value at `index`; on failure returns nullopt and error() says why.
  // Recursive through read_table, at most kMaxResultDepth deep.
  std::optional<Value> read(int index, const std::string& path,  // NOLINT(misc-no-recursion)
                            int depth) {
    if (++count_ > max_values_) {
      return fail(path, "has more than " + std::to_string(max_values_) + " values");
    }
    switch (lua_type(L_, index)) {
      case LUA_TNIL:
        return Value{};
      case LUA_TBOOLEAN:
        return Value{lua_toboolean(L_, index) != 0};
      case LUA_TNUMBER:
        if (lua_isinteger(L_, index)) {
          return Value{static_cast<std::int64_t>(lua_tointeger(L_, index))};
        }
        return Value{static_cast<double>(lua_tonumber(L_, index))};
      case LUA_TSTRING: {
        std::size_t size = 0;
        const char* text = lua_tolstring(L_, index, &size);
        return Value{std::string(text, size)};
      }
      case LUA_TTABLE:
        return read_table(lua_absindex(L_, index), path, depth + 1);
      default:
        return fail(path,
                    std::string("is a ") + luaL_typename(L_, index) +
                        " (a rule can only return nil, booleans, numbers, strings and tables)");
    }
  }

  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  std::nullopt_t fail(const std::string& path, const std::string& why) {
    if (error_.empty()) error_ = "rule result" + path + " " + why;
    return std::nullopt;
  }

  // The keys a table has: its number of entries, its largest integer key, and whether it has
  // integer keys (1 and up) and string keys; nullopt (and error() set) for any other key.
  struct Keys {
    std::size_t entries = 0;
    lua_Integer max_key = 0;
    bool integer_keys = false;
    bool string_keys = false;
  };

  std::optional<Keys> scan_keys(int index, const std::string& path) {
    Keys keys;
    lua_pushnil(L_);
    while (lua_next(L_, index) != 0) {
      ++keys.entries;
      if (lua_type(L_, -2) == LUA_TSTRING) {
        keys.string_keys = true;
      } else if (lua_isinteger(L_, -2) && lua_tointeger(L_, -2) >= 1) {
        keys.integer_keys = true;
        keys.max_key = std::max(keys.max_key, lua_tointeger(L_, -2));
      } else {
        std::string key_kind = std::string("a ") + luaL_typename(L_, -2) + " key";
        if (lua_type(L_, -2) == LUA_TNUMBER) {
          key_kind =
              "the number key " + (lua_isinteger(L_, -2) ? std::to_string(lua_tointeger(L_, -2))
                                                         : std::to_string(lua_tonumber(L_, -2)));
        }
        lua_pop(L_, 2);
        fail(path, "has " + key_kind + " (only keys 1..n or string keys are allowed)");
        return std::nullopt;
      }
      lua_pop(L_, 1);
    }
    return keys;
  }

  std::optional<Value> read_table(int index, const std::string& path,  // NOLINT(misc-no-recursion)
                                  int depth) {
    if (depth > kMaxResultDepth) {
      return fail(path, "is nested deeper than " + std::to_string(kMaxResultDepth) +
                            " tables (a table that contains itself?)");
    }
    luaL_checkstack(L_, 4, "rule result nested too deeply");
    const std::optional<Keys> keys = scan_keys(index, path);
    if (!keys) return std::nullopt;
    if (keys->integer_keys && keys->string_keys) {
      return fail(path, "mixes list items (keys 1..n) and named fields (string keys)");
    }
    if (keys->string_keys) return read_fields(index, path, depth);
    if (static_cast<std::size_t>(keys->max_key) != keys->entries) {
      return fail(path, "is not a list: its keys are not exactly 1.." +
                            std::to_string(keys->entries) + " (a nil in the middle?)");
    }
    return read_list(index, keys->max_key, path, depth);
  }

  std::optional<Value> read_list(int index, lua_Integer size,  // NOLINT(misc-no-recursion)
                                 const std::string& path, int depth) {
    Array items;
    items.reserve(static_cast<std::size_t>(size));
    for (lua_Integer i = 1; i <= size; ++i) {
      lua_rawgeti(L_, index, i);
      auto item = read(-1, path + "[" + std::to_string(i) + "]", depth);
      lua_pop(L_, 1);
      if (!item) return std::nullopt;
      items.push_back(std::move(*item));
    }
    return Value{std::move(items)};
  }

  std::optional<Value> read_fields(int index, const std::string& path,  // NOLINT(misc-no-recursion)
                                   int depth) {
    Object fields;
    lua_pushnil(L_);
    while (lua_next(L_, index) != 0) {
      std::size_t size = 0;
      const char* key = lua_tolstring(L_, -2, &size);  // a string key: no conversion
      std::string name(key, size);
      std::string field_path = path;
      field_path.append(".").append(name);
      auto field = read(-1, field_path, depth);
      lua_pop(L_, 1);
      if (!field) {
        lua_pop(L_, 1);
        return std::nullopt;
      }
      fields.emplace(std::move(name), std::move(*field));
    }
    return Value{std::move(fields)};
  }

  lua_State* L_;
  std::size_t max_values_;
  std::size_t count_ = 0;
  std::string error_;
};

}  // namespace

// Recursive: arguments come from the engine, which builds no cycles.
void push_value(lua_State* L, const Value& value) {  // NOLINT(misc-no-recursion)
  luaL_checkstack(L, 3, "rule argument nested too deeply");
  if (value.is_null()) {
    lua_pushnil(L);
  } else if (value.is_bool()) {
    lua_pushboolean(L, value.as_bool() ? 1 : 0);
  } else if (value.is_int()) {
    lua_pushinteger(L, value.as_int());
  } else if (value.is_number()) {
    lua_pushnumber(L, value.as_number());
  } else if (value.is_string()) {
    const std::string& text = value.as_string();
    lua_pushlstring(L, text.data(), text.size());
  } else if (value.is_array()) {
    const Array& items = value.as_array();
    lua_createtable(L, static_cast<int>(std::min<std::size_t>(items.size(), INT_MAX)), 0);
    lua_Integer index = 1;
    for (const Value& item : items) {
      push_value(L, item);
      lua_rawseti(L, -2, index++);
    }
  } else {
    const Object& fields = value.as_object();
    lua_createtable(L, 0, static_cast<int>(std::min<std::size_t>(fields.size(), INT_MAX)));
    for (const auto& [key, field] : fields) {
      lua_pushlstring(L, key.data(), key.size());
      push_value(L, field);
      lua_rawset(L, -3);
    }
  }
}

std::expected<Value, std::string> read_result(lua_State* L, int index, std::size_t max_values) {
  ResultReader reader(L, max_values);
  std::optional<Value> result = reader.read(index, "", 0);
  if (!result) return std::unexpected(reader.error());
  return std::move(*result);
}

std::string error_text(lua_State* L) {
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      std::size_t size = 0;
      const char* text = lua_tolstring(L, -1, &size);
      return {text, size};
    }
    case LUA_TNUMBER:
      return lua_isinteger(L, -1) ? std::to_string(lua_tointeger(L, -1))
                                  : std::to_string(lua_tonumber(L, -1));
    default:
      return std::string("(error object is a ") + lua_typename(L, lua_type(L, -1)) + " value)";
  }
}

}  // namespace stagematch
