#include "atf/drive/requests.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "atf/base/json.h"
#include "patches/pointer.h"

namespace atf::drive {
namespace {

// What a Flow build id stands for in Apply and Open; the shim ignores it.
constexpr char kVersion[] = "drive";

void AddProjection(flow::CollectionSpec* collection, const std::string& ptr, const std::string& field,
                   const CatalogBinding& binding) {
  for (const flow::Projection& existing : collection->projections()) {
    if (existing.field() == field) return;
  }
  flow::Projection* projection = collection->add_projections();
  projection->set_ptr(ptr);
  projection->set_field(field);
  projection->set_is_primary_key(std::find(binding.key.begin(), binding.key.end(), ptr) != binding.key.end());
}

}  // namespace

std::vector<size_t> EnabledBindings(const Catalog& catalog) {
  std::vector<size_t> enabled;
  for (size_t i = 0; i < catalog.bindings.size(); ++i) {
    if (!catalog.bindings[i].disable) enabled.push_back(i);
  }
  return enabled;
}

flow::CollectionSpec BuildCollection(const CatalogBinding& binding) {
  flow::CollectionSpec collection;
  collection.set_name(binding.target);
  for (const std::string& pointer : binding.key) collection.add_key(pointer);
  collection.set_uuid_ptr("/_meta/uuid");
  collection.set_write_schema_json(binding.schema_json);
  AddProjection(&collection, "", "flow_document", binding);
  absl::StatusOr<rapidjson::Document> schema = ParseJson(binding.schema_json, "schema");
  if (schema.ok()) {
    if (const rapidjson::Value* properties = FindMember(*schema, "properties"); properties && properties->IsObject()) {
      for (const auto& property : properties->GetObject()) {
        const std::string name(ViewOf(property.name));
        AddProjection(&collection, absl::StrCat("/", EscapePointerToken(name)), name, binding);
      }
    }
  }
  for (const std::string& pointer : binding.key) AddProjection(&collection, pointer, pointer.substr(1), binding);
  return collection;
}

std::string StateKey(const std::vector<std::string>& resource_path, uint32_t backfill) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : absl::StrJoin(resource_path, "/")) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return absl::StrCat(out, ".v", backfill);
}

capture::Request BuildDiscover(const Catalog& catalog) {
  capture::Request request;
  auto* discover = request.mutable_discover();
  discover->set_connector_type(flow::CaptureSpec::IMAGE);
  discover->set_config_json(catalog.config_json);
  discover->set_name(catalog.capture_name);
  return request;
}

capture::Request BuildValidate(const Catalog& catalog) {
  capture::Request request;
  auto* validate = request.mutable_validate();
  validate->set_name(catalog.capture_name);
  validate->set_connector_type(flow::CaptureSpec::IMAGE);
  validate->set_config_json(catalog.config_json);
  for (size_t index : EnabledBindings(catalog)) {
    const CatalogBinding& binding = catalog.bindings[index];
    auto* out = validate->add_bindings();
    out->set_resource_config_json(binding.resource_json);
    *out->mutable_collection() = BuildCollection(binding);
    out->set_backfill(binding.backfill);
  }
  return request;
}

absl::StatusOr<flow::CaptureSpec> BuildCaptureSpec(const Catalog& catalog,
                                                   const capture::Response::Validated& validated) {
  const std::vector<size_t> enabled = EnabledBindings(catalog);
  if (static_cast<size_t>(validated.bindings_size()) != enabled.size()) {
    return absl::FailedPreconditionError(absl::StrCat("the connector validated ", validated.bindings_size(),
                                                      " bindings of ", enabled.size(), " (Flow requires one each)"));
  }
  flow::CaptureSpec spec;
  spec.set_name(catalog.capture_name);
  spec.set_connector_type(flow::CaptureSpec::IMAGE);
  spec.set_config_json(catalog.config_json);
  for (size_t i = 0; i < enabled.size(); ++i) {
    const CatalogBinding& binding = catalog.bindings[enabled[i]];
    const auto& path = validated.bindings(static_cast<int>(i)).resource_path();
    if (path.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("the connector validated binding ", i, " (", binding.target, ") with an empty resource path"));
    }
    auto* out = spec.add_bindings();
    out->set_resource_config_json(binding.resource_json);
    out->mutable_resource_path()->CopyFrom(path);
    *out->mutable_collection() = BuildCollection(binding);
    out->set_backfill(binding.backfill);
    out->set_state_key(StateKey({path.begin(), path.end()}, binding.backfill));
  }
  return spec;
}

capture::Request BuildApply(const flow::CaptureSpec& spec) {
  capture::Request request;
  *request.mutable_apply()->mutable_capture() = spec;
  request.mutable_apply()->set_version(kVersion);
  return request;
}

capture::Request BuildOpen(const flow::CaptureSpec& spec, const std::string& state_json) {
  capture::Request request;
  auto* open = request.mutable_open();
  *open->mutable_capture() = spec;
  open->set_version(kVersion);
  open->mutable_range()->set_key_end(0xffffffffu);
  open->mutable_range()->set_r_clock_end(0xffffffffu);
  open->set_state_json(state_json);
  return request;
}

}  // namespace atf::drive
