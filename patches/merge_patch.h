// RFC 7396 JSON merge patch.
#pragma once

#include "rapidjson/document.h"

namespace atf {

// Applies `patch` to `target` in place: object members merge recursively, a
// `null` member deletes the key, anything else replaces the target outright.
// Member order of `target` is kept; new members are appended.
void ApplyMergePatch(rapidjson::Value& target, const rapidjson::Value& patch,
                     rapidjson::Document::AllocatorType& allocator);

}  // namespace atf
