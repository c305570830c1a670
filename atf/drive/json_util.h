// JSON the driver prints and stores: pretty-printed (two spaces), with object
// keys sorted where the output must be stable (snapshots), and a total order
// of values (snapshot documents are sorted by key).
#pragma once

#include <string>
#include <vector>

#include "rapidjson/document.h"

namespace atf::drive {

// Two-space indented JSON text ending in "\n", member order kept.
std::string PrettyJson(const rapidjson::Value& value);

// A deep copy of `value` with every object's members sorted by name.
rapidjson::Value SortedCopy(const rapidjson::Value& value, rapidjson::Document::AllocatorType& allocator);

// Pretty JSON of SortedCopy(value).
std::string PrettySortedJson(const rapidjson::Value& value);

// A total order: null < false < true < numbers < strings < arrays < objects;
// numbers by value, strings by bytes, arrays and objects element by element.
int CompareJson(const rapidjson::Value& a, const rapidjson::Value& b);

// Compact JSON of `value`, cut to about `max` bytes with "…" when longer.
std::string ShortJson(const rapidjson::Value& value, size_t max = 200);

// The values of `doc` at the `key` pointers as a compact JSON array, e.g. [3]
// or ["a",null] (null where a pointer finds nothing).
std::string KeyOf(const rapidjson::Value& doc, const std::vector<std::string>& key);

}  // namespace atf::drive
