// The image check: everything that can be known about a derived connector
// image without Docker. Static rules on the Dockerfile, metadata.json and the
// patch files, then the image's working directory assembled in a temporary
// folder and its ENTRYPOINT run for Spec and Discover, with the upstream
// connector swapped for one that replays the folder's recorded upstream
// snapshot (upstream/), to show that the responses carry the folder's patches
// and that every patch names things the pinned upstream has.
#pragma once

#include <string>
#include <vector>

namespace atf::images {

struct CheckOptions {
  std::string shim;       // the airbyte-to-flow binary to place at WORKDIR
  std::string upstream;   // the snapshot folder to replay; default <folder>/upstream
  std::string emit_flow;  // when set, write the Flow spec.json and discover.json here
  double timeout_seconds = 30;
};

struct CheckResult {
  std::vector<std::string> problems;  // empty when the folder passes
  std::vector<std::string> shown;     // what the Spec run showed, for the report
};

CheckResult CheckConnectorFolder(const std::string& folder, const CheckOptions& options);

// The categories metadata.json may name.
const std::vector<std::string>& Categories();

}  // namespace atf::images
