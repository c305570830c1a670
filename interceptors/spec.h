// Spec (docs/reference.md, Spec; docs/decisions.md, D4): runs `spec`, patches the
// connector's config schema with the folder's patch files and answers with
// Flow's Spec response.
#pragma once

#include <optional>

#include "interceptors/interceptor.h"

namespace atf {

// Flow's protocol version, the only one the runtime accepts.
inline constexpr uint32_t kFlowProtocol = 3032023;

// Builds the Spec response from the connector's SPEC payload (the value of
// `spec` in the Airbyte message) and the folder's patch files. Also returns
// where the final config schema marks secrets.
absl::StatusOr<capture::Response> BuildSpecResponse(const rapidjson::Value& airbyte_spec,
                                                    const ConnectorDir& connector_dir, Logger log,
                                                    SecretPaths* secret_paths);

class SpecInterceptor : public Interceptor {
 public:
  // Without `answer`, the spec is only read (to learn the secret paths).
  explicit SpecInterceptor(OperationContext context, bool answer = true) : Interceptor(context), answer_(answer) {}

  absl::string_view name() const override { return "spec"; }
  absl::StatusOr<std::vector<std::string>> Prepare() override;
  absl::Status OnMessage(AirbyteMessage& message) override;
  absl::Status Finish(const RunOutcome& outcome) override;

 private:
  bool answer_;
  std::optional<rapidjson::Document> spec_;
};

}  // namespace atf
