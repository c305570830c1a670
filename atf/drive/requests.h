// The requests Flow's control plane and runtime build from a catalog
// (docs/protocol.md): Validate at build time, then per session Apply and
// Open with the built capture spec, the shard's full range and the state.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "atf/drive/catalog.h"
#include "capture.pb.h"

namespace atf::drive {

// Indices into `catalog.bindings` of the bindings that are not disabled, in
// order: a binding's index in Open is its position in this list.
std::vector<size_t> EnabledBindings(const Catalog& catalog);

// The collection as Flow builds it: name, key, writeSchema (the schema),
// uuidPtr /_meta/uuid, and projections for the document root
// (flow_document), every top-level property and every key location.
flow::CollectionSpec BuildCollection(const CatalogBinding& binding);

// Flow's stateKey: the resource path joined with "/", query-escaped
// (`/` -> %2F, space -> +), then `.v<backfill>`.
std::string StateKey(const std::vector<std::string>& resource_path, uint32_t backfill);

capture::Request BuildDiscover(const Catalog& catalog);
capture::Request BuildValidate(const Catalog& catalog);

// The built capture spec: the enabled bindings with their collections, the
// resource paths the connector validated and their state keys.
absl::StatusOr<flow::CaptureSpec> BuildCaptureSpec(const Catalog& catalog,
                                                   const capture::Response::Validated& validated);

capture::Request BuildApply(const flow::CaptureSpec& spec);
// Open for a full-range shard ({"keyEnd":4294967295,"rClockEnd":4294967295}).
capture::Request BuildOpen(const flow::CaptureSpec& spec, const std::string& state_json);

}  // namespace atf::drive
