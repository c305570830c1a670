// Settings of the shim that sessions and operations use, gathered once from
// the command line and the environment in main (nothing below reads either).
#pragma once

#include <cstddef>
#include <string>

#include "absl/time/time.h"
#include "atf/base/log.h"

namespace atf {

struct ShimOptions {
  // --connector-entrypoint: the connector's command, interpreted by /bin/sh.
  std::string connector_entrypoint;
  // --connector-dir: where patch files are read.
  std::string connector_dir = ".";
  // --max-message-size: the longest connector line or Flow frame accepted.
  size_t max_message_size = size_t{256} << 20;
  // --idle-timeout / AIRBYTE_TO_FLOW_IDLE_TIMEOUT.
  absl::Duration idle_timeout = absl::Hours(1);
  // --grace-period: between SIGTERM and SIGKILL when stopping the connector.
  absl::Duration grace_period = absl::Seconds(5);
  // --progress-interval: how often a capture logs its progress.
  absl::Duration progress_interval = absl::Seconds(60);
  // --parse-threads: worker threads decoding a capture's records (0: none,
  // the session thread decodes).
  int parse_threads = 0;
  // LOG_LEVEL, also handed to the connector.
  LogLevel log_level = LogLevel::kInfo;
  // AIRBYTE_TO_FLOW_STATE_FORMAT=per_stream.
  bool per_stream_state = false;
  // --strict-records: a record the decoder had to repair is an error
  // instead of a warning (docs/decisions.md, D10).
  bool strict_records = false;
  // AIRBYTE_TO_FLOW_PERSIST_CONTROL_CONFIG=1.
  bool persist_control_config = false;
};

}  // namespace atf
