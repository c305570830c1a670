#include "interceptors/oauth.h"

#include "atf/base/json.h"
#include "atf/protocol/flow_json.h"

namespace atf {

absl::StatusOr<std::optional<flow::OAuth2>> ResolveOAuth2(const rapidjson::Value* auth_specification,
                                                          const ConnectorDir& connector_dir, Logger log) {
  absl::StatusOr<std::optional<flow::OAuth2>> patch = connector_dir.OAuth2Patch();
  if (!patch.ok() || patch->has_value()) return patch;
  if (auth_specification == nullptr || auth_specification->IsNull()) return std::nullopt;

  flow::OAuth2 oauth2;
  absl::Status decoded = DecodeFlowJson(WriteJson(*auth_specification), &oauth2, FlowJsonOptions::Strict());
  if (!decoded.ok()) {
    log.Warn(
        "dropping the connector's authSpecification: it is not a Flow OAuth2 spec; "
        "add an oauth2.patch.json to offer OAuth",
        LogFields().Add("reason", decoded.message()));
    return std::nullopt;
  }
  return std::optional<flow::OAuth2>(std::move(oauth2));
}

}  // namespace atf
