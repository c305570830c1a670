// Making a discovered schema agree with its collection key (docs/decisions.md, D5):
// every key location becomes required and non-null.
#pragma once

#include <string>
#include <vector>

#include "rapidjson/document.h"

namespace atf {

// For each key pointer (all tokens are property names, even `0`), walks the
// schema from the root: local `$ref`s are followed and `allOf` branches are
// searched for the property. At each level the property is added to
// `required` and "null" is removed from the holder's and the property's
// `type` arrays (order kept; a property left with one type gets it as a plain
// string). A key that cannot be fixed (its property is not found, or a
// `required` is not an array) leaves the schema untouched for that key and
// adds a warning to the returned list; the other keys are still fixed.
std::vector<std::string> FixDocumentSchemaKeys(rapidjson::Document& schema, const std::vector<std::string>& key);

}  // namespace atf
