// A readable structural diff of two JSON values, by JSON pointer: what was
// added, removed or changed. Objects are compared member by member; arrays of
// scalars (a `required` list, a type list) change as a whole; other arrays
// element by element.
#pragma once

#include <string>
#include <vector>

#include "rapidjson/document.h"

namespace atf::drive {

struct JsonChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind;
  std::string pointer;  // "" is the root
  std::string before;   // compact and shortened; empty when added
  std::string after;    // empty when removed
};

std::vector<JsonChange> DiffJson(const rapidjson::Value& before, const rapidjson::Value& after);

// "/a/b: changed 1 -> 2", "/x: added {...}", "/y: removed 3" ("(root)" for "").
std::string DescribeChange(const JsonChange& change);

}  // namespace atf::drive
