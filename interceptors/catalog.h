// catalog.json for `read`: the Airbyte ConfiguredCatalog built from Flow's
// Open (docs/reference.md, Capture).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture.pb.h"
#include "interceptors/resource.h"

namespace atf {

struct CatalogStream {
  const flow::CaptureSpec::Binding* binding;  // has a collection
  const ResourceSpec* resource;
  // Airbyte's refresh fields (docs/decisions.md, D16): the binding's backfill
  // counter as `generation_id`; `minimum_generation_id` equal to it when this
  // session starts the stream over, else 0; `sync_id` for the session.
  uint64_t generation_id = 0;
  uint64_t minimum_generation_id = 0;
  uint64_t sync_id = 0;
};

// {"streams":[{"stream":{...},"sync_mode":...,"destination_sync_mode":"append",
//   "cursor_field":...,"primary_key":[[...]],"projections":{...},
//   "generation_id":N,"minimum_generation_id":N,"sync_id":N}],
//  "estuary.dev/range":{"begin":"%08x","end":"%08x"} or null}
// The collection's write schema is embedded as written.
std::string ConfiguredCatalog(const capture::Request::Open& open, const std::vector<CatalogStream>& streams);

}  // namespace atf
