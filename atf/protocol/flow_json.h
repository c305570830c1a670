// Flow's proto3-JSON dialect for capture.Request / capture.Response (and any
// message of proto/), written over RapidJSON and protobuf reflection.
//
// Decoding is lenient: unknown keys are skipped, both the JSON name
// (`resourceConfig`) and the proto name (`resource_config_json`) are accepted,
// `null` means absent, numbers may be quoted. Fields whose name ends in `_json`
// (and map values of `_json_map` fields) hold JSON text: the decoder keeps the
// exact source text and the encoder embeds it as a literal JSON value.
//
// Encoding omits default values, writes fields in declaration order, map keys
// sorted, 64-bit integers as strings and enums by name, as Flow does.
#pragma once

#include <functional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace atf {

struct FlowJsonOptions {
  // Unknown keys are errors instead of being skipped (used for patch files
  // that must be exactly a Flow message, such as oauth2.patch.json).
  bool strict = false;
  // Told the path (e.g. `open.capture.shardTemplate`) of each skipped key.
  std::function<void(absl::string_view path)> on_unknown_field;

  static FlowJsonOptions Strict() {
    FlowJsonOptions options;
    options.strict = true;
    return options;
  }
};

// Decodes one JSON object into `message` (which is cleared first). Errors name
// the field path and what was wrong.
absl::Status DecodeFlowJson(absl::string_view json, google::protobuf::Message* message,
                            const FlowJsonOptions& options = {});

// Appends the JSON form of `message` to `out` (no trailing newline).
void EncodeFlowJson(const google::protobuf::Message& message, std::string* out);

// Whether `field` holds JSON text (name ends in `_json` or `_json_vec`, or a
// `_json_map` map).
bool IsRawJsonField(const google::protobuf::FieldDescriptor* field);

}  // namespace atf
