// A config for the user to fill in, made from the connector's config schema:
// every required field (recursively) and every field with a default. Values
// come from `default`, `const` or the first `enum` value; others are
// placeholders "<fill in: TITLE>", and secrets "<fill in secret: TITLE>". Of
// a oneOf/anyOf the first option is taken. The notes list what the user must
// fill in, one line per field.
#pragma once

#include <string>
#include <vector>

#include "rapidjson/document.h"

namespace atf::drive {

struct ConfigStub {
  std::string json;                // pretty-printed
  std::vector<std::string> notes;  // "/api_key: required secret string (API Key)"
};

ConfigStub MakeConfigStub(const rapidjson::Value& config_schema);

}  // namespace atf::drive
