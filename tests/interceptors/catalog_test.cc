// catalog.json: docs/reference.md vectors H5 and its range and key rules (docs/reference.md, Capture).
#include "interceptors/catalog.h"

#include "atf/protocol/codec.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf {
namespace {

capture::Request::Open OpenFrom(const char* json) {
  capture::Request request;
  EXPECT_TRUE(DecodeRequest(Codec::kJson, json, &request).ok());
  return request.open();
}

std::string Catalog(const capture::Request::Open& open) {
  std::vector<ResourceSpec> resources;
  for (const auto& binding : open.capture().bindings())
    resources.push_back(*ParseResourceSpec(binding.resource_config_json()));
  std::vector<CatalogStream> streams;
  for (int i = 0; i < open.capture().bindings_size(); ++i)
    streams.push_back({&open.capture().bindings(i), &resources[i]});
  return ConfiguredCatalog(open, streams);
}

TEST(Catalog, H5_ConfiguredCatalog) {
  capture::Request::Open open =
      OpenFrom(R"({"open":{"capture":{"name":"acmeCo/cap","connectorType":"IMAGE","config":{"api_key":"k"},
  "bindings":[{"resourceConfig":{"stream":"users","syncMode":"incremental","cursorField":["updated"]},
    "collection":{"name":"acmeCo/users","key":["/id"],"writeSchema":{"type":"object","properties":{"id":{"type":"integer"},"updated":{"type":"string","format":"date-time"}},"required":["id"]},
      "projections":[{"ptr":"/id","field":"id"},{"ptr":"/updated","field":"updated"}]}}]},
  "version":"v1","range":{"keyEnd":4294967295,"rClockEnd":4294967295},"state":{"users":{"updated":"2024-01-01"}}}})");
  EXPECT_JSON_EQ(
      Catalog(open),
      R"({"streams":[{"stream":{"name":"users","json_schema":{"type":"object","properties":{"id":{"type":"integer"},"updated":{"type":"string","format":"date-time"}},"required":["id"]},"supported_sync_modes":["incremental"],"source_defined_cursor":null,"default_cursor_field":null,"source_defined_primary_key":null,"namespace":null},"sync_mode":"incremental","destination_sync_mode":"append","cursor_field":["updated"],"primary_key":[["id"]],"projections":{"id":"/id","updated":"/updated"},"generation_id":0,"minimum_generation_id":0,"sync_id":0}],"estuary.dev/range":{"begin":"00000000","end":"ffffffff"}})");
}

// D16: Airbyte's refresh fields carry the binding's backfill counter.
TEST(Catalog, D16_RefreshFields) {
  capture::Request::Open open = OpenFrom(
      R"({"open":{"capture":{"bindings":[{"resourceConfig":{"stream":"s","syncMode":"incremental"},"collection":{},"backfill":3}]}}})");
  ResourceSpec resource = *ParseResourceSpec(open.capture().bindings(0).resource_config_json());
  std::string catalog = ConfiguredCatalog(open, {{&open.capture().bindings(0), &resource, 3, 3, 1700000000}});
  EXPECT_NE(catalog.find(R"("generation_id":3,"minimum_generation_id":3,"sync_id":1700000000)"), std::string::npos)
      << catalog;
}

TEST(Catalog, KeysAreUnescapedTokensAndRangesAreHex) {
  capture::Request::Open open = OpenFrom(
      R"({"open":{"capture":{"bindings":[{"resourceConfig":{"stream":"s","namespace":"n","syncMode":"full_refresh"},
    "collection":{"key":["/a~1b/0","/c"],"writeSchema":{ "type" : "object" }}}]},"range":{"keyBegin":305419896,"keyEnd":2882400255}}})");
  EXPECT_JSON_EQ(
      Catalog(open),
      R"({"streams":[{"stream":{"name":"s","json_schema":{"type":"object"},"supported_sync_modes":["full_refresh"],"source_defined_cursor":null,"default_cursor_field":null,"source_defined_primary_key":null,"namespace":"n"},"sync_mode":"full_refresh","destination_sync_mode":"append","cursor_field":null,"primary_key":[["a/b","0"],["c"]],"projections":{},"generation_id":0,"minimum_generation_id":0,"sync_id":0}],"estuary.dev/range":{"begin":"12345678","end":"abcdefff"}})");
  // The write schema is embedded as written.
  EXPECT_NE(Catalog(open).find(R"("json_schema":{ "type" : "object" })"), std::string::npos);
}

TEST(Catalog, NoRangeIsNull) {
  capture::Request::Open open = OpenFrom(
      R"({"open":{"capture":{"bindings":[{"resourceConfig":{"stream":"s","syncMode":"incremental"},"collection":{}}]}}})");
  EXPECT_NE(Catalog(open).find(R"("estuary.dev/range":null)"), std::string::npos);
  EXPECT_NE(Catalog(open).find(R"("json_schema":{})"), std::string::npos);
}

}  // namespace
}  // namespace atf
