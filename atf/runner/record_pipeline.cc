#include "atf/runner/record_pipeline.h"

#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace atf {

absl::StatusOr<std::unique_ptr<RecordPipeline>> RecordPipeline::Start(RecordEncoder& encoder, int threads,
                                                                      size_t max_line) {
  int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return absl::InternalError(absl::StrCat("eventfd: ", ::strerror(errno)));
  std::unique_ptr<RecordPipeline> pipeline(new RecordPipeline(fd, max_line));
  for (int i = 0; i < threads; ++i) {
    pipeline->threads_.emplace_back(
        [p = pipeline.get(), worker = encoder.NewWorker()]() mutable { p->Work(std::move(worker)); });
  }
  return pipeline;
}

RecordPipeline::~RecordPipeline() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& thread : threads_) thread.join();
  ::close(ready_fd_);
}

void RecordPipeline::Submit(std::unique_ptr<LineBlock> block) {
  MutexLock lock(&mu_);
  order_.push_back(std::make_unique<Slot>(Slot{std::move(block), false}));
}

std::unique_ptr<LineBlock> RecordPipeline::TakeReady() {
  uint64_t count;
  [[maybe_unused]] ssize_t n = ::read(ready_fd_, &count, sizeof(count));
  MutexLock lock(&mu_);
  if (order_.empty() || !order_.front()->done) return nullptr;
  std::unique_ptr<LineBlock> block = std::move(order_.front()->block);
  order_.pop_front();
  --next_unclaimed_;
  if (!order_.empty() && order_.front()->done) {
    uint64_t one = 1;
    n = ::write(ready_fd_, &one, sizeof(one));  // the next one is ready too
  }
  return block;
}

size_t RecordPipeline::in_flight() const {
  MutexLock lock(&mu_);
  return order_.size();
}

void RecordPipeline::Work(std::unique_ptr<RecordWorker> worker) {
  AirbyteDecoder decoder(worker.get());
  AirbyteMessage message;
  std::vector<char> scratch;
  for (;;) {
    Slot* slot;
    {
      MutexLock lock(&mu_);
      auto work = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || next_unclaimed_ < order_.size(); };
      mu_.Await(Condition(&work));
      if (stopping_) return;
      slot = order_[next_unclaimed_++].get();
    }
    Process(*slot->block, *worker, decoder, message, scratch);
    {
      MutexLock lock(&mu_);
      slot->done = true;
    }
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(ready_fd_, &one, sizeof(one));
  }
}

void RecordPipeline::Process(LineBlock& block, RecordWorker& worker, AirbyteDecoder& decoder, AirbyteMessage& message,
                             std::vector<char>& scratch) {
  const char* text = block.data.get();
  // One copy of the block to parse in place; every line ends in a NUL there.
  scratch.resize(block.size + 1 + kParsePadding);
  std::memcpy(scratch.data(), text, block.size);
  scratch[block.size] = '\0';
  size_t pos = 0;
  for (uint32_t index = 0; pos < block.size; ++index) {
    const char* nl = static_cast<const char*>(std::memchr(text + pos, '\n', block.size - pos));
    const size_t end = nl ? static_cast<size_t>(nl - text) : block.size;
    size_t size = end - pos;
    if (size > 0 && text[end - 1] == '\r') --size;
    LineBlock::Item item{false, false, 0, pos, size, index};
    if (size <= max_line_) {
      scratch[pos + size] = '\0';
      absl::StatusOr<AirbyteDecoder::Result> decoded =
          decoder.Decode(absl::string_view(text + pos, size), scratch.data() + pos, &message);
      // A repaired record is left to the session thread, which counts and reports it.
      if (decoded.ok() && decoded->kind == AirbyteDecoder::Kind::kMessage && message.type == AirbyteType::kRecord &&
          message.fixes.empty()) {
        if (std::optional<RecordWorker::Encoded> encoded = worker.Encode(message, &block.arena)) {
          item = LineBlock::Item{true,          encoded->in_arena,
                                 encoded->slot, encoded->in_arena ? encoded->offset : pos + encoded->offset,
                                 encoded->size, index,
                                 encoded->marks};
        }
      }
    }
    block.items.push_back(item);
    block.lines = index + 1;
    pos = end + 1;
  }
}

namespace {
constexpr size_t kBlockRead = 256 * 1024;
}  // namespace

std::unique_ptr<LineBlock> BlockReader::NewBlock(size_t min_capacity) {
  std::unique_ptr<LineBlock> block;
  if (!free_.empty()) {
    block = std::move(free_.back());
    free_.pop_back();
  } else {
    block = std::make_unique<LineBlock>();
  }
  block->size = 0;
  block->items.clear();
  block->arena.clear();
  block->lines = 0;
  block->unterminated = false;
  if (block->capacity < min_capacity) {
    block->capacity = std::max(min_capacity, 2 * kBlockRead);
    block->data.reset(new char[block->capacity]);
  }
  return block;
}

void BlockReader::Recycle(std::unique_ptr<LineBlock> block) {
  // A buffer grown for a huge line is let go, to keep memory bounded.
  if (free_.size() < 16 && block->capacity <= 4 * kBlockRead) free_.push_back(std::move(block));
}

absl::StatusOr<std::unique_ptr<LineBlock>> BlockReader::Read(int fd, bool* eof) {
  *eof = false;
  if (current_ && current_->size > max_line_) return absl::ResourceExhaustedError(absl::StrCat(current_->size));
  if (!current_) {
    current_ = NewBlock(kBlockRead);
    scanned_ = 0;
  }
  if (current_->capacity - current_->size < kBlockRead) {
    // Only a line longer than a read gets here: grow, keeping it.
    std::unique_ptr<LineBlock> bigger = NewBlock(std::max(2 * current_->capacity, current_->size + kBlockRead));
    std::memcpy(bigger->data.get(), current_->data.get(), current_->size);
    bigger->size = current_->size;
    Recycle(std::move(current_));
    current_ = std::move(bigger);
  }
  ssize_t n;
  do {
    n = ::read(fd, current_->data.get() + current_->size, current_->capacity - current_->size);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return absl::InternalError(absl::StrCat("read failed: ", ::strerror(errno)));
  if (n == 0) {
    *eof = true;
    if (current_->size == 0) return nullptr;
    if (current_->size > max_line_) return absl::ResourceExhaustedError(absl::StrCat(current_->size));
    current_->unterminated = current_->data[current_->size - 1] != '\n';
    return std::move(current_);
  }
  current_->size += static_cast<size_t>(n);
  bytes_read_ += static_cast<uint64_t>(n);
  const char* base = current_->data.get();
  const void* last = ::memrchr(base + scanned_, '\n', current_->size - scanned_);
  if (last == nullptr) {
    scanned_ = current_->size;
    if (current_->size > max_line_) return absl::ResourceExhaustedError(absl::StrCat(current_->size));
    return nullptr;
  }
  // Complete lines go out; the cut line starts the next block.
  const size_t complete = static_cast<const char*>(last) - base + 1;
  const size_t tail = current_->size - complete;
  std::unique_ptr<LineBlock> next = NewBlock(std::max(kBlockRead + tail, kBlockRead * 2));
  std::memcpy(next->data.get(), base + complete, tail);
  next->size = tail;
  current_->size = complete;
  std::unique_ptr<LineBlock> full = std::move(current_);
  current_ = std::move(next);
  scanned_ = 0;
  return full;  // an over-long tail is reported by the next read
}

}  // namespace atf
