// What a derived connector's Dockerfile builds, read without Docker: the shim
// stage, the upstream Airbyte image, the working directory, what is copied
// where, the ENTRYPOINT and the labels. Problems are collected, not thrown:
// one run of the image check lists every one of them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace atf::images {

struct CopyStep {
  std::string from_stage;            // --from=<stage>, empty for the build context
  std::string chmod;                 // --chmod=<mode>, empty when not given
  std::string chown;                 // --chown=<user>[:<group>], empty when not given
  std::vector<std::string> sources;  // as written (globs allowed for the context)
  std::string destination;
  int line = 0;
};

struct DerivedImage {
  std::string shim_stage;          // the alias of the stage built from the shim image
  std::string shim_image_default;  // the default of ARG AIRBYTE_TO_FLOW_IMAGE
  std::string upstream_image;      // the final stage's image, e.g. airbyte/source-faker
  std::string upstream_tag;        // and its tag
  std::string workdir;             // the final stage's WORKDIR
  std::vector<CopyStep> copies;    // of the final stage
  std::vector<std::string> entrypoint;
  std::map<std::string, std::string> labels;
};

// Reads `dockerfile_text` (`file_name` is used in messages), appending every
// problem found to `problems` as "<file>:<line>: <what is wrong>".
DerivedImage ReadDerivedImage(absl::string_view dockerfile_text, absl::string_view file_name,
                              std::vector<std::string>& problems);

// This project's own shim image: the default a connector Dockerfile's ARG
// AIRBYTE_TO_FLOW_IMAGE must name, so that a build without --build-arg never
// takes another project's shim (ghcr.io/estuary/airbyte-to-flow is the Rust one).
extern const char kOwnShimImage[];

// The platform every FROM is pinned to: the shim is built for amd64 only.
extern const char kPlatform[];

// `v1`, `v2`, ...: the Flow-facing major a connector image is tagged and labelled with.
bool IsFlowVersion(absl::string_view version);

// The labels every derived connector image carries, with their fixed values
// (an empty value: any non-empty value, checked elsewhere).
const std::map<std::string, std::string>& RequiredLabels();

// The ENTRYPOINT's --connector-entrypoint value, or "" when it has none.
std::string ConnectorEntrypointOf(const std::vector<std::string>& entrypoint);

}  // namespace atf::images
