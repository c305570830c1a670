// Shared by the fuzz targets: reference JSON parsing, and a one-off folder
// for the targets that read patch files from disk.
#pragma once

#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace atf::fuzz {

// Stops the run with a report: libFuzzer saves the input that caused it.
[[noreturn]] inline void Fail(const char* what) {
  __builtin_trap();  // a crash is what libFuzzer reports, with the input
}

#define FUZZ_CHECK(condition)                        \
  do {                                               \
    if (!(condition)) ::atf::fuzz::Fail(#condition); \
  } while (false)

// A strict DOM parse (RapidJSON, full precision); nullopt-like: HasParseError.
inline rapidjson::Document ReferenceParse(absl::string_view text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  return doc;
}

// A private folder made once per process (fuzzing runs in one process).
const std::string& ScratchDir();

}  // namespace atf::fuzz
