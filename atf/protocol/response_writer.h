// Where a session's responses go: stdout in the chosen codec, or a gRPC
// stream. Writes may buffer; Flush makes them visible to Flow.
#pragma once

#include <cstdint>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "atf/protocol/codec.h"
#include "capture.pb.h"

namespace atf {

class StopSource;

// Whether `status` is a write given up because the session's stop was raised
// while Flow was not reading (docs/decisions.md, D11): Flow ended the session.
bool IsOutputAbandoned(const absl::Status& status);

class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  virtual absl::Status Write(const capture::Response& response) = 0;
  // The record hot path; `doc_json` is valid JSON text.
  virtual absl::Status WriteCaptured(uint32_t binding, absl::string_view doc_json) = 0;
  virtual absl::Status Flush() = 0;
};

// Writes frames to a file descriptor. When it is a pipe or socket it is made
// non-blocking, so that a write blocked by a reader that does not read can be
// abandoned once `stop` is raised (back-pressure without a hang).
class FdResponseWriter : public ResponseWriter {
 public:
  // `stop` may be null. Buffered output is written once it exceeds
  // `flush_threshold` bytes, or on Flush.
  FdResponseWriter(int fd, Codec codec, const StopSource* stop, size_t flush_threshold = 256 * 1024);
  ~FdResponseWriter() override;

  absl::Status Write(const capture::Response& response) override;
  absl::Status WriteCaptured(uint32_t binding, absl::string_view doc_json) override;
  absl::Status Flush() override;

 private:
  absl::Status MaybeFlush();
  // Writes `pieces` in order, waiting for room as Flush does.
  // `frame_ends`: where each frame ends in the pieces, ascending.
  absl::Status WriteAll(std::vector<absl::string_view> pieces, const std::vector<size_t>& frame_ends);

  int fd_;
  Codec codec_;
  const StopSource* stop_;
  size_t flush_threshold_;
  int original_flags_ = -1;  // restored on destruction when changed
  std::string buffer_;
  std::vector<size_t> frame_ends_;  // of the frames in buffer_
};

}  // namespace atf
