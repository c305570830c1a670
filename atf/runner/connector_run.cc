#include "atf/runner/connector_run.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "atf/base/stop.h"
#include "atf/protocol/frame_splitter.h"
#include "atf/protocol/inbox.h"
#include "atf/protocol/response_writer.h"
#include "atf/runner/connector_log.h"
#include "atf/runner/record_pipeline.h"

namespace atf {
namespace {

using Clock = std::chrono::steady_clock;

Clock::duration ToChrono(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return Clock::duration::max() / 2;
  return std::chrono::duration_cast<Clock::duration>(absl::ToChronoNanoseconds(d));
}

// How often an exit is looked for when the kernel has no pidfd.
constexpr auto kExitPollInterval = std::chrono::milliseconds(50);

class Run {
 public:
  Run(ConnectorOutputHandler& handler, ResponseWriter& out, const RunSettings& settings, StopSource& stop, Logger log)
      : handler_(handler),
        out_(out),
        settings_(settings),
        stop_(stop),
        log_(log),
        relay_(log),
        splitter_(FrameSplitter::Mode::kLines, settings.max_message_size),
        decoder_(handler.data_visitors()),
        grace_(ToChrono(settings.grace_period)),
        idle_timeout_(ToChrono(settings.idle_timeout)),
        tick_(ToChrono(settings.tick_interval)) {}

  absl::StatusOr<RunOutcome> Execute(const ConnectorCommand& command) {
    if (RecordEncoder* encoder = handler_.record_encoder(); encoder != nullptr && settings_.parse_threads > 0) {
      ATF_ASSIGN_OR_RETURN(std::unique_ptr<RecordPipeline> pipeline,
                           RecordPipeline::Start(*encoder, settings_.parse_threads, settings_.max_message_size));
      pipeline_ = std::move(pipeline);
      block_reader_.emplace(settings_.max_message_size);
      encoder_ = encoder;
      // Enough blocks to keep every worker busy, few enough to bound memory.
      max_in_flight_ = 2 * static_cast<size_t>(settings_.parse_threads) + 2;
    }
    ATF_ASSIGN_OR_RETURN(std::unique_ptr<ConnectorProcess> started, ConnectorProcess::Start(command));
    process_ = std::move(started);
    watermark_ = std::make_unique<OutputWatermark>(process_->stdout_fd());
    StderrPump pump(process_->TakeStderr(), &relay_, watermark_.get());
    log_.Debug("connector started", LogFields()
                                        .Add("pid", static_cast<int64_t>(process_->pid()))
                                        .Add("parse_threads", pipeline_ ? pipeline_->threads() : 0));

    const auto start = Clock::now();
    last_activity_ = start;
    next_tick_ = start + tick_;
    while (stdout_open_ || !process_->exited() || BlocksPending()) {
      CheckTimers(Clock::now());
      if (stdout_open_ || !process_->exited() || BlocksPending()) Poll();
    }
    pipeline_.reset();  // joins the workers
    // Whatever the connector left running in its group is an orphan now.
    process_->SignalGroup(SIGKILL);
    watermark_->Release();
    pump.Join();
    relay_.FinishJunk();

    // Everything complete before an error still reaches Flow (its records and
    // checkpoints are good); after Flow ended the session nothing more is written.
    if (outcome_.ending != RunOutcome::Ending::kStopped) {
      absl::Status flushed = out_.Flush();
      if (error_.ok()) ATF_RETURN_IF_ERROR(flushed);
    }
    outcome_.exit = *process_->TryWait();
    if (!error_.ok()) {
      // A connector that crashed mid-line: its own failure (exit code, last
      // error) says more than the cut line does.
      if (!cut_last_line_ || outcome_.exit.signaled || outcome_.exit.code == 0) return error_;
      log_.Warn("the connector's output ended in the middle of a line", LogFields().Add("error", error_.message()));
    }
    outcome_.failure_message = relay_.FailureMessage();
    log_.Debug(absl::StrCat("connector ", outcome_.exit.Describe()));
    return outcome_;
  }

 private:
  bool BlocksPending() const { return pipeline_ != nullptr && !stopping_ && pipeline_->in_flight() > 0; }

  void CheckTimers(Clock::time_point now) {
    if (!stopping_ && now - last_activity_ >= idle_timeout_) {
      log_.Warn(absl::StrCat("connector has been idle for ", absl::FormatDuration(settings_.idle_timeout),
                             " (no records, state or response); stopping it"));
      outcome_.ending = RunOutcome::Ending::kIdle;
      BeginStop(SIGTERM);
    }
    if (stopping_ && !killed_ && !process_->exited() && now >= kill_at_) {
      log_.Warn("connector did not stop within the grace period; killing it",
                LogFields().Add("grace_period", absl::FormatDuration(settings_.grace_period)));
      process_->SignalGroup(SIGKILL);
      killed_ = true;
    }
    if (process_->exited() && stdout_open_) {
      if (!drain_deadline_) {
        drain_deadline_ = now + grace_;
      } else if (now >= *drain_deadline_) {
        log_.Warn("connector exited but a process it started keeps its output open; killing its process group");
        process_->SignalGroup(SIGKILL);
        CloseStdout();
      }
    }
    if (now >= next_tick_) {
      handler_.OnTick();
      next_tick_ = now + tick_;
    }
  }

  void Poll() {
    pollfd fds[5];
    int n = 0;
    int stdout_i = -1, exit_i = -1, stop_i = -1, inbox_i = -1, blocks_i = -1;
    // Back-pressure: with every block slot taken, the connector waits.
    // Once stopping, output is drained and dropped, so that the connector's
    // exit (and the end of its output) is seen at once.
    const bool room = stopping_ || pipeline_ == nullptr || (pipeline_->in_flight() < max_in_flight_ && !overlong_line_);
    if (stdout_open_ && room) {
      stdout_i = n;
      fds[n++] = {process_->stdout_fd(), POLLIN, 0};
    }
    if (!process_->exited() && process_->exit_fd() >= 0) {
      exit_i = n;
      fds[n++] = {process_->exit_fd(), POLLIN, 0};
    }
    if (!stopping_) {
      stop_i = n;
      fds[n++] = {stop_.fd(), POLLIN, 0};
    }
    if (!stopping_ && settings_.inbox != nullptr) {
      inbox_i = n;
      fds[n++] = {settings_.inbox->ready_fd(), POLLIN, 0};
    }
    if (BlocksPending()) {
      blocks_i = n;
      fds[n++] = {pipeline_->ready_fd(), POLLIN, 0};
    }

    int ready = ::poll(fds, n, 0);
    if (ready == 0) {
      // About to wait: let Flow see everything written so far.
      if (!stopping_) {
        if (absl::Status flushed = out_.Flush(); !flushed.ok()) Fail(flushed);
      }
      ready = ::poll(fds, n, Timeout());
    }
    if (ready < 0 && errno != EINTR) {
      Fail(absl::InternalError(absl::StrCat("poll: ", std::strerror(errno))));
      return;
    }
    if (stop_i >= 0 && fds[stop_i].revents != 0) OnStopRequested();
    if (inbox_i >= 0 && fds[inbox_i].revents != 0) DrainInbox();
    if (blocks_i >= 0 && fds[blocks_i].revents != 0) SequenceReadyBlocks();
    if (stdout_i >= 0 && fds[stdout_i].revents != 0) ReadStdout();
    if (exit_i < 0 || fds[exit_i].revents != 0) process_->TryWait();
  }

  int Timeout() const {
    const auto now = Clock::now();
    Clock::time_point deadline = next_tick_;
    if (!stopping_) deadline = std::min(deadline, last_activity_ + idle_timeout_);
    if (stopping_ && !killed_) deadline = std::min(deadline, kill_at_);
    if (drain_deadline_) deadline = std::min(deadline, *drain_deadline_);
    if (!process_->exited() && process_->exit_fd() < 0) deadline = std::min(deadline, now + kExitPollInterval);
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    return static_cast<int>(std::clamp<decltype(wait)>(wait + 1, 0, 60'000));
  }

  void OnStopRequested() {
    if (stopping_) return;  // one stop (and one log line), whoever asked first
    log_.Info(absl::StrCat("stopping the connector: ", stop_.Describe()));
    outcome_.ending = RunOutcome::Ending::kStopped;
    BeginStop(stop_.reason() == StopReason::kSignal ? stop_.signal_number() : SIGTERM);
  }

  void BeginStop(int signal) {
    if (stopping_) return;
    stopping_ = true;
    watermark_->Release();  // nothing more is handled: stderr need not wait
    process_->SignalGroup(signal);
    kill_at_ = Clock::now() + grace_;
  }

  void Fail(absl::Status status) {
    // A write given up because Flow ended the session is that stop, not an error.
    if (IsOutputAbandoned(status) && stop_.requested()) {
      OnStopRequested();
      return;
    }
    if (error_.ok()) error_ = std::move(status);
    BeginStop(SIGTERM);
  }

  void DrainInbox() {
    while (std::optional<InboxItem> item = settings_.inbox->TryPop()) {
      switch (item->kind) {
        case InboxItem::Kind::kRequest:
          if (item->request.has_acknowledge()) {
            outcome_.acknowledgements += item->request.acknowledge().checkpoints();
          } else {
            Fail(absl::InvalidArgumentError(
                absl::StrCat("unexpected `", OperationOf(item->request).value_or("empty"),
                             "` request during a capture session (only `acknowledge` is allowed)")));
          }
          break;
        case InboxItem::Kind::kEnd:
          OnStopRequested();
          break;
        case InboxItem::Kind::kError:
          Fail(Annotate(item->error, "reading Flow's requests"));
          break;
      }
    }
  }

  void ReadStdout() {
    if (stopping_) {
      // Nothing more is written once stopping: the rest is drained and dropped.
      char scratch[65536];
      ssize_t r = ::read(process_->stdout_fd(), scratch, sizeof(scratch));
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) CloseStdout();
      return;
    }
    if (pipeline_) {
      ReadBlock();
      return;
    }
    watermark_->BeginRead();
    absl::StatusOr<size_t> read = splitter_.ReadFrom(process_->stdout_fd());
    if (!read.ok()) {
      Fail(Annotate(read.status(), "reading the connector's output"));
      return;
    }
    stdout_bytes_ += *read;
    watermark_->SetRead(stdout_bytes_);
    HandleSplitLines(*read == 0);
    watermark_->SetHandled(stdout_bytes_ - splitter_.buffered());
    if (*read == 0) CloseStdout();
    UpdateActivity();
  }

  // Sequential mode: every complete line, now.
  void HandleSplitLines(bool at_end) {
    for (;;) {
      absl::StatusOr<std::optional<absl::string_view>> line = splitter_.Next();
      if (!line.ok()) return Fail(Annotate(line.status(), "connector output"));
      if (!*line || stopping_) break;
      HandleLine(**line, splitter_.frame_number());
    }
    if (at_end && !stopping_) {
      absl::StatusOr<std::optional<absl::string_view>> last = splitter_.Finish();
      if (!last.ok()) return Fail(Annotate(last.status(), "connector output"));
      if (*last) HandleLine(**last, splitter_.frame_number(), /*unterminated=*/true);
    }
  }

  // Parallel mode: complete lines go to the workers in blocks.
  void ReadBlock() {
    bool eof;
    watermark_->BeginRead();
    absl::StatusOr<std::unique_ptr<LineBlock>> block = block_reader_->Read(process_->stdout_fd(), &eof);
    watermark_->SetRead(block_reader_->bytes_read());
    if (!block.ok()) {
      if (block.status().code() != absl::StatusCode::kResourceExhausted) {
        return Fail(Annotate(block.status(), "reading the connector's output"));
      }
      // Reported once the lines before it are sequenced: its number is then known.
      overlong_line_ = block_reader_->pending();
      ReportOverlongLine();
      return;
    }
    if (*block) pipeline_->Submit(std::move(*block));
    if (eof) CloseStdout();
  }

  void ReportOverlongLine() {
    if (overlong_line_ == 0 || pipeline_->in_flight() > 0) return;
    Fail(Annotate(FrameSplitter::LineTooLarge(lines_sequenced_ + 1, settings_.max_message_size, overlong_line_),
                  "connector output"));
  }

  void SequenceReadyBlocks() {
    while (!stopping_) {
      std::unique_ptr<LineBlock> block = pipeline_->TakeReady();
      if (!block) break;
      for (const LineBlock::Item& item : block->items) {
        if (stopping_) break;
        const size_t number = lines_sequenced_ + item.line_index + 1;
        const absl::string_view text = item.in_arena ? absl::string_view(block->arena) : block->text();
        const absl::string_view piece = text.substr(item.offset, item.size);
        if (!item.encoded) {
          if (item.size > settings_.max_message_size) {
            Fail(Annotate(FrameSplitter::LineTooLarge(number, settings_.max_message_size, item.size),
                          "connector output"));
          } else {
            HandleLine(piece, number, block->unterminated && item.line_index + 1 == block->lines);
          }
          continue;
        }
        activity_ = true;
        if (absl::Status status = encoder_->WriteEncoded(item.slot, piece, item.marks); !status.ok()) {
          Fail(Annotate(status, absl::StrCat("connector output line ", number)));
        }
      }
      lines_sequenced_ += block->lines;
      bytes_sequenced_ += block->size;
      block_reader_->Recycle(std::move(block));
    }
    watermark_->SetHandled(bytes_sequenced_);
    UpdateActivity();
    ReportOverlongLine();
  }

  void UpdateActivity() {
    if (activity_) {  // one clock read per chunk, not per message
      last_activity_ = Clock::now();
      activity_ = false;
    }
  }

  void CloseStdout() {
    stdout_open_ = false;
    watermark_->StdoutClosed();
    process_->CloseStdout();
  }

  // `unterminated`: the output's last line, without "\n".
  void HandleLine(absl::string_view line, size_t number, bool unterminated = false) {
    absl::StatusOr<AirbyteDecoder::Result> decoded = decoder_.Decode(line, &message_);
    if (!decoded.ok()) {
      cut_last_line_ = unterminated && error_.ok();
      Fail(Annotate(decoded.status(), absl::StrCat("connector output line ", number)));
      return;
    }
    if (decoded->kind == AirbyteDecoder::Kind::kJunk) {
      relay_.OnJunk(number, line, decoded->junk_reason);
      return;
    }
    if (!message_.fixes.empty()) {
      if (absl::Status status = handler_.OnRepaired(message_, number); !status.ok()) {
        Fail(Annotate(status, absl::StrCat("connector output line ", number)));
        return;
      }
    }
    absl::Status status;
    switch (message_.type) {
      case AirbyteType::kLog:
        relay_.OnLog(message_);
        break;
      case AirbyteType::kTrace:
        relay_.OnTrace(message_);
        break;
      case AirbyteType::kControl:
        status = OnControl();
        break;
      default:
        activity_ = true;
        status = handler_.OnMessage(message_);
    }
    if (!status.ok()) Fail(Annotate(status, absl::StrCat("connector output line ", number)));
  }

  absl::Status OnControl() {
    const rapidjson::Value* control = message_.Payload();
    const rapidjson::Value* type = control ? FindMember(*control, "type") : nullptr;
    const rapidjson::Value* connector_config = control ? FindMember(*control, "connectorConfig") : nullptr;
    const rapidjson::Value* config = connector_config ? FindMember(*connector_config, "config") : nullptr;
    if (type == nullptr || !type->IsString() || ViewOf(*type) != "CONNECTOR_CONFIG" || config == nullptr ||
        !config->IsObject()) {
      log_.Debug("ignoring a CONTROL message that is not a CONNECTOR_CONFIG update");
      return absl::OkStatus();
    }
    return handler_.OnControlConfig(WriteJson(*config));
  }

  ConnectorOutputHandler& handler_;
  ResponseWriter& out_;
  const RunSettings& settings_;
  StopSource& stop_;
  Logger log_;
  ConnectorLogRelay relay_;
  FrameSplitter splitter_;
  AirbyteDecoder decoder_;
  AirbyteMessage message_;
  std::unique_ptr<ConnectorProcess> process_;
  std::unique_ptr<RecordPipeline> pipeline_;
  std::optional<BlockReader> block_reader_;
  RecordEncoder* encoder_ = nullptr;
  size_t overlong_line_ = 0;  // size of a line over the maximum, once seen
  size_t max_in_flight_ = 0;
  size_t lines_sequenced_ = 0;    // lines of the blocks already taken back
  uint64_t bytes_sequenced_ = 0;  // and their bytes
  uint64_t stdout_bytes_ = 0;     // read by the sequential path
  std::unique_ptr<OutputWatermark> watermark_;

  const Clock::duration grace_, idle_timeout_, tick_;
  Clock::time_point last_activity_, next_tick_, kill_at_;
  std::optional<Clock::time_point> drain_deadline_;
  bool stdout_open_ = true;
  bool cut_last_line_ = false;  // error_ is about an unterminated last line
  bool activity_ = false;       // a protocol message arrived since the last clock read
  bool stopping_ = false;
  bool killed_ = false;
  absl::Status error_;
  RunOutcome outcome_;
};

}  // namespace

absl::Status ConnectorOutputHandler::OnRepaired(const AirbyteMessage& message, size_t line_number) {
  std::vector<std::string> what;
  for (const LineFix& fix : message.fixes) what.push_back(DescribeFix(fix));
  log_.Warn(absl::StrCat("repaired a ", AirbyteTypeName(message.type), " line that was not valid JSON"),
            LogFields().Add("line_number", static_cast<uint64_t>(line_number)).Add("fixes", absl::StrJoin(what, "; ")));
  return absl::OkStatus();
}

absl::Status ConnectorOutputHandler::OnControlConfig(absl::string_view) {
  log_.Warn("connector sent an updated config (CONTROL message); it is not persisted by this operation");
  return absl::OkStatus();
}

absl::StatusOr<RunOutcome> RunConnector(const ConnectorCommand& command, ConnectorOutputHandler& handler,
                                        ResponseWriter& out, const RunSettings& settings, StopSource& stop,
                                        Logger log) {
  Run run(handler, out, settings, stop, log);
  return run.Execute(command);
}

absl::Status ConnectorFailure(absl::string_view operation, const RunOutcome& outcome) {
  std::string message = outcome.failure_message.empty()
                            ? absl::StrCat("connector ", outcome.exit.Describe(), " during ", operation)
                            : OneLine(outcome.failure_message);
  return WithExitCode(absl::InternalError(message), outcome.exit.signaled ? 1 : outcome.exit.code);
}

}  // namespace atf
