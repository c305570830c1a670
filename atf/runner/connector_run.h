// One connector run, from spawn to reaping: the poll loop that reads the
// connector's stdout line by line, decodes Airbyte messages, re-logs LOG and
// TRACE, hands protocol messages to the operation, watches Flow's requests
// during a capture, and enforces the idle timeout and the stop grace period.
#pragma once

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "atf/base/log.h"
#include "atf/protocol/airbyte.h"
#include "atf/runner/connector_process.h"

namespace atf {

class Inbox;
class RecordEncoder;
class ResponseWriter;
class StopSource;

// The part of an operation that consumes the connector's protocol output.
class ConnectorOutputHandler {
 public:
  virtual ~ConnectorOutputHandler() = default;
  // A protocol message (not LOG, TRACE or CONTROL). An error ends the run.
  virtual absl::Status OnMessage(AirbyteMessage& message) = 0;
  // Before OnMessage, for a line the decoder had to repair (its `fixes`):
  // warns by default; an error ends the run.
  virtual absl::Status OnRepaired(const AirbyteMessage& message, size_t line_number);
  // A CONTROL message carrying a new connector config (rotated credentials).
  virtual absl::Status OnControlConfig(absl::string_view config_json);
  // Called every RunSettings::tick_interval (progress reports).
  virtual void OnTick() {}
  // Visitors that rewrite record data during the parse; none by default.
  virtual DataVisitorFactory* data_visitors() { return nullptr; }
  // Encodes records on worker threads (RunSettings::parse_threads); none by
  // default: everything is handled on the session thread.
  virtual RecordEncoder* record_encoder() { return nullptr; }

 protected:
  explicit ConnectorOutputHandler(Logger log) : log_(log) {}
  Logger log_;
};

struct RunSettings {
  absl::Duration idle_timeout = absl::Hours(1);
  absl::Duration grace_period = absl::Seconds(5);
  size_t max_message_size = size_t{256} << 20;
  absl::Duration tick_interval = absl::InfiniteDuration();
  // Set during a capture: Flow's requests are read while the connector runs
  // (acknowledgements are counted; the end of Flow's input stops the run).
  Inbox* inbox = nullptr;
  // Worker threads decoding records, when the handler has an encoder; 0
  // decodes on the session thread.
  int parse_threads = 0;
};

struct RunOutcome {
  enum class Ending {
    kExited,   // the connector exited on its own
    kStopped,  // stopped because Flow ended the session or a signal arrived
    kIdle,     // stopped after the idle timeout
  };
  Ending ending = Ending::kExited;
  ExitStatus exit;
  // The connector's account of its failure (its TRACE error, else its last
  // error log); empty when it said nothing.
  std::string failure_message;
  uint64_t acknowledgements = 0;
};

absl::StatusOr<RunOutcome> RunConnector(const ConnectorCommand& command, ConnectorOutputHandler& handler,
                                        ResponseWriter& out, const RunSettings& settings, StopSource& stop, Logger log);

// The error for a connector that exited non-zero or was killed (D2): carries
// the exit code the shim must end with and a one-line message.
absl::Status ConnectorFailure(absl::string_view operation, const RunOutcome& outcome);

}  // namespace atf
