// Checks captured documents against their collection's schema with
// RapidJSON's own validator (rapidjson/schema.h, RapidJSON 1.1: draft-04
// keywords). A keyword that validator cannot check is never passed silently:
// scanning the schema up front lists every such keyword and where it is, and
// the driver prints that list once per collection (README, "Schema checks").
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"
#include "rapidjson/schema.h"

namespace atf::drive {

struct Violation {
  std::string document_pointer;  // where in the document ("" is the root)
  std::string keyword;           // the schema keyword that failed ("type", "required", ...)
  std::string schema_pointer;    // the failing subschema in the schema
  std::string value;             // the offending value, compact and shortened
  std::string detail;            // e.g. "expected integer, got string", "missing [\"id\"]"
};

class SchemaChecker {
 public:
  // Fails on a schema that is not JSON, not an object, or that RapidJSON
  // could not compile safely.
  static absl::StatusOr<std::unique_ptr<SchemaChecker>> Create(absl::string_view schema_json);

  // What the validator does not check, one entry per keyword:
  // "format at /properties/created_at, /properties/updated_at".
  const std::vector<std::string>& unchecked() const { return unchecked_; }

  // The first violation of `document`, or nullopt when it is valid.
  std::optional<Violation> Check(const rapidjson::Value& document);

 private:
  SchemaChecker() = default;
  std::string Detail(const Violation& violation, const rapidjson::Value& document) const;

  rapidjson::Document schema_;
  std::unique_ptr<rapidjson::SchemaDocument> compiled_;
  std::unique_ptr<rapidjson::SchemaValidator> validator_;
  std::vector<std::string> unchecked_;
};

// The keywords of `schema` RapidJSON's validator cannot check (exposed for tests).
absl::StatusOr<std::vector<std::string>> UncheckedKeywords(const rapidjson::Value& schema);

}  // namespace atf::drive
