#include "interceptors/spec.h"

#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "interceptors/oauth.h"
#include "interceptors/resource.h"
#include "interceptors/schema.h"
#include "patches/merge_patch.h"

namespace atf {

absl::StatusOr<capture::Response> BuildSpecResponse(const rapidjson::Value& airbyte_spec,
                                                    const ConnectorDir& connector_dir, Logger log,
                                                    SecretPaths* secret_paths) {
  const rapidjson::Value* connection = FindMember(airbyte_spec, "connectionSpecification");
  if (connection == nullptr || connection->IsNull()) {
    return absl::FailedPreconditionError("the connector's SPEC has no `connectionSpecification`");
  }
  rapidjson::Document config_schema;
  config_schema.CopyFrom(*connection, config_schema.GetAllocator());

  ATF_ASSIGN_OR_RETURN(std::optional<rapidjson::Document> patch, connector_dir.SpecPatch());
  if (patch.has_value()) ApplyMergePatch(config_schema, *patch, config_schema.GetAllocator());
  FixNonstandardAttributes(config_schema);

  std::string documentation_url;
  if (const rapidjson::Value* url = FindMember(airbyte_spec, "documentationUrl"); url && url->IsString()) {
    documentation_url = std::string(ViewOf(*url));
  }
  ATF_ASSIGN_OR_RETURN(ConnectorDir::DocumentationUrlPatch url_patch, connector_dir.DocumentationUrl());
  if (url_patch.url) {
    documentation_url = *url_patch.url;
  } else if (url_patch.present) {
    log.Warn(absl::StrCat(connector_dir.PathOf("documentation_url.patch.json"),
                          " has no string `documentation_url`; keeping the connector's documentation URL"));
  }

  ATF_ASSIGN_OR_RETURN(std::optional<flow::OAuth2> oauth2,
                       ResolveOAuth2(FindMember(airbyte_spec, "authSpecification"), connector_dir, log));

  capture::Response response;
  capture::Response::Spec* spec = response.mutable_spec();
  spec->set_protocol(kFlowProtocol);
  spec->set_config_schema_json(WriteJson(config_schema));
  spec->set_resource_config_schema_json(std::string(ResourceSpecSchema()));
  spec->set_documentation_url(documentation_url);
  if (oauth2.has_value()) *spec->mutable_oauth2() = std::move(*oauth2);
  spec->add_resource_path_pointers("/namespace");
  spec->add_resource_path_pointers("/stream");
  if (secret_paths != nullptr) *secret_paths = FindSecretPaths(config_schema);
  return response;
}

absl::StatusOr<std::vector<std::string>> SpecInterceptor::Prepare() { return std::vector<std::string>{"spec"}; }

absl::Status SpecInterceptor::OnMessage(AirbyteMessage& message) {
  return TakeExpectedMessage(message, AirbyteType::kSpec, &spec_, log_);
}

absl::Status SpecInterceptor::Finish(const RunOutcome&) {
  if (!spec_) return MissingExpectedMessage(AirbyteType::kSpec);
  ATF_ASSIGN_OR_RETURN(capture::Response response,
                       BuildSpecResponse(*spec_, ctx_.connector_dir, log_, &ctx_.memory.secret_paths));
  ctx_.memory.spec_learned = true;
  if (!answer_) return absl::OkStatus();
  return ctx_.out.Write(response);
}

}  // namespace atf
