// catalog.json for `read`: the Airbyte ConfiguredCatalog built from Flow's
// Open (docs/reference.md, Capture).
#pragma once

#include <string>
#include <vector>

#include "capture.pb.h"
#include "interceptors/resource.h"

namespace atf {

struct CatalogStream {
  const flow::CaptureSpec::Binding* binding;  // has a collection
  const ResourceSpec* resource;
};

// {"streams":[{"stream":{...},"sync_mode":...,"destination_sync_mode":"append",
//   "cursor_field":...,"primary_key":[[...]],"projections":{...}}],
//  "estuary.dev/range":{"begin":"%08x","end":"%08x"} or null}
// The collection's write schema is embedded as written.
std::string ConfiguredCatalog(const capture::Request::Open& open, const std::vector<CatalogStream>& streams);

}  // namespace atf
