// The OAuth2 part of the Spec response.
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "atf/base/log.h"
#include "flow.pb.h"
#include "patches/connector_dir.h"
#include "rapidjson/document.h"

namespace atf {

// oauth2.patch.json when present (it replaces whatever the connector
// declared; a malformed file is an error), else the connector's
// `authSpecification` when it is a valid Flow OAuth2 object. A legacy Airbyte
// authSpecification is dropped with a warning instead of failing Spec (D4).
absl::StatusOr<std::optional<flow::OAuth2>> ResolveOAuth2(const rapidjson::Value* auth_specification,
                                                          const ConnectorDir& connector_dir, Logger log);

}  // namespace atf
