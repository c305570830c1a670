#include "interceptors/catalog.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "atf/base/json.h"
#include "patches/pointer.h"

namespace atf {
namespace {

void AppendStringList(std::string* out, const std::vector<std::string>& list) {
  out->push_back('[');
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, list[i]);
  }
  out->push_back(']');
}

}  // namespace

std::string ConfiguredCatalog(const capture::Request::Open& open, const std::vector<CatalogStream>& streams) {
  std::string out = "{\"streams\":[";
  for (size_t i = 0; i < streams.size(); ++i) {
    const flow::CollectionSpec& collection = streams[i].binding->collection();
    const ResourceSpec& resource = *streams[i].resource;
    if (i > 0) out.push_back(',');
    out.append("{\"stream\":{\"name\":");
    AppendJsonString(&out, resource.stream);
    absl::StrAppend(&out,
                    ",\"json_schema\":", collection.write_schema_json().empty() ? "{}" : collection.write_schema_json(),
                    ",\"supported_sync_modes\":[\"", resource.sync_mode,
                    "\"],\"source_defined_cursor\":null,\"default_cursor_field\":null,"
                    "\"source_defined_primary_key\":null,\"namespace\":");
    if (resource.ns)
      AppendJsonString(&out, *resource.ns);
    else
      out.append("null");
    absl::StrAppend(&out, "},\"sync_mode\":\"", resource.sync_mode,
                    "\",\"destination_sync_mode\":\"append\",\"cursor_field\":");
    if (resource.cursor_field)
      AppendStringList(&out, *resource.cursor_field);
    else
      out.append("null");
    out.append(",\"primary_key\":[");
    for (int k = 0; k < collection.key_size(); ++k) {
      if (k > 0) out.push_back(',');
      AppendStringList(&out, PointerTokens(collection.key(k)));
    }
    out.append("],\"projections\":{");
    for (int p = 0; p < collection.projections_size(); ++p) {
      if (p > 0) out.push_back(',');
      AppendJsonString(&out, collection.projections(p).field());
      out.push_back(':');
      AppendJsonString(&out, collection.projections(p).ptr());
    }
    absl::StrAppend(&out, "},\"generation_id\":", streams[i].generation_id,
                    ",\"minimum_generation_id\":", streams[i].minimum_generation_id,
                    ",\"sync_id\":", streams[i].sync_id, "}");
  }
  out.append("],\"estuary.dev/range\":");
  if (open.has_range()) {
    absl::StrAppendFormat(&out, "{\"begin\":\"%08x\",\"end\":\"%08x\"}", open.range().key_begin(),
                          open.range().key_end());
  } else {
    out.append("null");
  }
  out.push_back('}');
  return out;
}

}  // namespace atf
