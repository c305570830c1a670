// Parallel decoding of a capture's records. The session thread cuts the
// connector's output into blocks of complete lines; worker threads decode
// them and turn every well-formed RECORD that has a binding into its Flow
// document; the session thread takes the blocks back in order and writes
// them. Anything else (STATE, LOG, TRACE, CONTROL, junk, errors) is left to
// the session thread, in place, so order and error reporting are exactly
// those of a sequential run.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "atf/base/mutex.h"
#include "atf/protocol/airbyte.h"

namespace atf {

// Encodes RECORD messages on one worker thread (one instance per thread).
class RecordWorker : public DataVisitorFactory {
 public:
  struct Encoded {
    uint32_t slot;        // the encoder's name for the record's destination
    bool in_arena;        // the document is in `arena` (rewritten), else in the line
    size_t offset, size;  // of the document in the line or the arena
    uint8_t marks = 0;    // the encoder's notes for WriteEncoded (what it added)
  };
  // Returns nullopt when the record must be handled in order by the session
  // thread instead (for example a stream without binding: an error).
  virtual std::optional<Encoded> Encode(const AirbyteMessage& message, std::string* arena) = 0;
};

class RecordEncoder {
 public:
  virtual ~RecordEncoder() = default;
  virtual std::unique_ptr<RecordWorker> NewWorker() = 0;
  // On the session thread, in the connector's order.
  virtual absl::Status WriteEncoded(uint32_t slot, absl::string_view doc, uint8_t marks) = 0;
};

// A run of complete lines and what a worker made of them.
struct LineBlock {
  // Complete lines, the last one possibly without "\n" (end of input).
  std::unique_ptr<char[]> data;
  size_t size = 0, capacity = 0;
  absl::string_view text() const { return absl::string_view(data.get(), size); }
  struct Item {
    bool encoded;  // a document to write; else a line for the session thread
    bool in_arena;
    uint32_t slot;
    size_t offset, size;  // the document, or the line (without "\n" and one "\r")
    uint32_t line_index;  // within the block
    uint8_t marks = 0;    // Encoded::marks
  };
  std::vector<Item> items;
  std::string arena;
  uint32_t lines = 0;
  // The last block of the output, whose last line has no "\n": the connector
  // stopped mid-line (a crash, most likely).
  bool unterminated = false;
};

// Reads the connector's output into blocks of complete lines, straight into
// recycled buffers: only a line cut by a read is copied (to the next block).
class BlockReader {
 public:
  explicit BlockReader(size_t max_line) : max_line_(max_line) {}

  // Reads once. Returns a block when it holds complete lines (at the end of
  // input, whatever is left), else nullptr; `*eof` tells the end of input.
  // A line longer than the maximum is a ResourceExhausted error whose
  // payload-free message is the line's size so far.
  absl::StatusOr<std::unique_ptr<LineBlock>> Read(int fd, bool* eof);
  // Gives a sequenced block's buffer back for reuse.
  void Recycle(std::unique_ptr<LineBlock> block);
  // Bytes of the line in progress.
  size_t pending() const { return current_ ? current_->size : 0; }
  // Bytes read so far.
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  std::unique_ptr<LineBlock> NewBlock(size_t min_capacity);

  const size_t max_line_;
  std::unique_ptr<LineBlock> current_;  // being filled
  size_t scanned_ = 0;                  // bytes of current_ known to hold no newline
  uint64_t bytes_read_ = 0;
  std::vector<std::unique_ptr<LineBlock>> free_;
};

class RecordPipeline {
 public:
  static absl::StatusOr<std::unique_ptr<RecordPipeline>> Start(RecordEncoder& encoder, int threads, size_t max_line);
  ~RecordPipeline();
  RecordPipeline(const RecordPipeline&) = delete;
  RecordPipeline& operator=(const RecordPipeline&) = delete;

  void Submit(std::unique_ptr<LineBlock> block);
  // The oldest block, once its worker is done with it.
  std::unique_ptr<LineBlock> TakeReady();
  size_t in_flight() const;
  int threads() const { return static_cast<int>(threads_.size()); }
  // Readable when a block may be ready.
  int ready_fd() const { return ready_fd_; }

 private:
  struct Slot {
    std::unique_ptr<LineBlock> block;
    bool done = false;
  };
  RecordPipeline(int ready_fd, size_t max_line) : ready_fd_(ready_fd), max_line_(max_line) {}
  void Work(std::unique_ptr<RecordWorker> worker);
  // `scratch` is the worker's own: the block is parsed in place there.
  void Process(LineBlock& block, RecordWorker& worker, AirbyteDecoder& decoder, AirbyteMessage& message,
               std::vector<char>& scratch);

  const int ready_fd_;
  const size_t max_line_;
  mutable Mutex mu_;
  // Every block in flight, oldest first; a worker keeps a pointer to its slot.
  std::deque<std::unique_ptr<Slot>> order_ ABSL_GUARDED_BY(mu_);
  size_t next_unclaimed_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace atf
