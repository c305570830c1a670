// Reads Flow's requests from a file descriptor (stdin) on its own thread,
// decodes each frame and queues it in an inbox, ending with an end marker or
// the error that stopped it (a bad line names its number and the problem).
#pragma once

#include <string>
#include <thread>

#include "atf/base/log.h"
#include "atf/protocol/codec.h"
#include "atf/protocol/inbox.h"

namespace atf {

class StopSource;

// What the first bytes of Flow's input said (docs/decisions.md, D15).
struct SniffedInput {
  Codec codec;
  std::string prefix;  // the bytes read to decide, to be read as input first
};

// Reads `fd` until CodecOfPrefix decides (or the input ends, or `stop` is
// raised: then JSON with what was read).
absl::StatusOr<SniffedInput> SniffCodec(int fd, const StopSource& stop);

class RequestReader {
 public:
  // Starts reading at once; `prefix` holds bytes of `fd` already read.
  RequestReader(int fd, Codec codec, size_t max_frame, Inbox* inbox, Logger log, std::string prefix = "");
  // Stops reading (if still running) and joins the thread.
  ~RequestReader();
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

 private:
  void Run();
  // Decodes and queues one frame; false when reading must stop.
  bool Deliver(absl::string_view frame, size_t number);

  int fd_;
  Codec codec_;
  size_t max_frame_;
  Inbox* inbox_;
  Logger log_;
  std::string prefix_;
  int wake_fd_;
  std::thread thread_;
};

}  // namespace atf
