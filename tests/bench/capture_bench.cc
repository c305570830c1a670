// Capture throughput and memory benchmark.
//
//   capture-bench [--megabytes=N] [--runs=N] [--shim=PATH] [--shim-flag=FLAG]...
//   capture-bench --generate=PATH [--megabytes=N]   (only write the stream, for profiling)
//
// Generates a synthetic Airbyte stream (realistic records: nested objects,
// arrays, date-time fields in several formats, a STATE every 1,000 records),
// then measures in one run, each the best of --runs, with this program
// draining stdout the way Flow reads it:
//   * one pipe hop: `cat FILE` writing into the pipe this program drains;
//   * a raw pipe copy: `cat FILE | cat`, the same topology as the shim (a
//     middle process copies the connector's output to Flow), doing nothing;
//   * the shim: a capture whose connector is `cat FILE`;
// and prints them, the shim's ratio to the raw pipe copy (the target) and to
// the single hop, records/s, MB/s and the shim's peak RSS.
// Finally it checks that a single 64 MiB record passes through.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

struct Options {
  size_t megabytes = 128;
  int runs = 3;
  std::string shim = ATF_BINARY;
  std::string generate_only;
  std::vector<std::string> shim_flags;  // extra flags for the shim, e.g. --parse-threads=0
};

// A small deterministic generator (no wall-clock input).
struct Random {
  uint64_t state = 0x9E3779B97F4A7C15ull;
  uint64_t Next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }
};

struct Stream {
  size_t bytes = 0, records = 0, states = 0;
};

// Writes the synthetic stream: three streams, interleaved in runs.
Stream Generate(const std::string& path, size_t target_bytes) {
  std::ofstream out(path, std::ios::binary);
  Random rnd;
  Stream stream;
  std::string line;
  char buf[1024];
  static const char* kCities[] = {"Springfield", "Shelbyville", "Ogdenville", "North Haverbrook", "Capital City"};
  static const char* kKinds[] = {"page_view", "click", "signup", "purchase", "logout"};
  while (stream.bytes < target_bytes) {
    const size_t n = stream.records + 1;
    const int which = static_cast<int>(n / 200 % 3);
    line.clear();
    if (which == 0) {
      std::snprintf(
          buf, sizeof(buf),
          R"({"type":"RECORD","record":{"stream":"users","data":{"id":%zu,"name":"User %zu","email":"user%zu@example.com","active":%s,"score":%d.%02d,)"
          R"("created_at":"2024-%02d-%02dT%02d:%02d:%02dZ","updated_at":"2024-%02d-%02d %02d:%02d:%02d",)"
          R"("address":{"street":"%d Main St","city":"%s","zip":"%05d","geo":{"lat":%d.%04d,"lng":-%d.%04d}},)",
          n, n, n, rnd.Below(2) ? "true" : "false", rnd.Below(100), rnd.Below(100), rnd.Below(12) + 1,
          rnd.Below(28) + 1, rnd.Below(24), rnd.Below(60), rnd.Below(60), rnd.Below(12) + 1, rnd.Below(28) + 1,
          rnd.Below(24), rnd.Below(60), rnd.Below(60), rnd.Below(9999), kCities[rnd.Below(5)], rnd.Below(99999),
          rnd.Below(90), rnd.Below(10000), rnd.Below(180), rnd.Below(10000));
      line += buf;
      line += R"("tags":["customer","tier)" + std::to_string(rnd.Below(4)) + R"(","beta"],"orders":[)";
      for (int o = 0; o < 3; ++o) {
        std::snprintf(
            buf, sizeof(buf),
            R"(%s{"order_id":%zu,"amount":%d.%02d,"placed_at":"2024-03-%02dT%02d:00:00+02:00","items":[%d,%d]})",
            o ? "," : "", n * 10 + o, rnd.Below(500), rnd.Below(100), rnd.Below(28) + 1, rnd.Below(24), rnd.Below(1000),
            rnd.Below(1000));
        line += buf;
      }
      line +=
          R"(],"notes":"lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor"},"emitted_at":1700000000000}})";
    } else if (which == 1) {
      std::snprintf(
          buf, sizeof(buf),
          R"({"type":"RECORD","record":{"stream":"events","data":{"id":%zu,"user_id":%d,"kind":"%s","occurred_at":%lld,)"
          R"("payload":{"path":"/page/%d","referrer":"https://example.com/%d","duration_ms":%d.5,"flags":[true,false,null]},)"
          R"("device":{"os":"linux","version":"%d.%d.%d","screen":{"w":1920,"h":1080}}},"emitted_at":1700000000000}})",
          n, rnd.Below(100000), kKinds[rnd.Below(5)], 1706781600LL + static_cast<long long>(n) * 7, rnd.Below(1000),
          rnd.Below(1000), rnd.Below(5000), rnd.Below(10), rnd.Below(10), rnd.Below(10));
      line += buf;
    } else {
      std::snprintf(
          buf, sizeof(buf),
          R"({"type":"RECORD","record":{"stream":"invoices","namespace":"billing","data":{"invoice":"INV-%08zu","customer":{"id":%d,"name":"Customer %d"},)"
          R"("issued":"2024-%02d-%02d","due":"%d/%d/2024","total":%d.%02d,"currency":"EUR",)"
          R"("lines":[{"sku":"SKU-%d","qty":%d,"price":%d.99},{"sku":"SKU-%d","qty":%d,"price":%d.49}]},"emitted_at":1700000000000}})",
          n, rnd.Below(50000), rnd.Below(50000), rnd.Below(12) + 1, rnd.Below(28) + 1, rnd.Below(12) + 1,
          rnd.Below(28) + 1, rnd.Below(10000), rnd.Below(100), rnd.Below(999), rnd.Below(9) + 1, rnd.Below(200),
          rnd.Below(999), rnd.Below(9) + 1, rnd.Below(200));
      line += buf;
    }
    line.push_back('\n');
    ++stream.records;
    if (stream.records % 1000 == 0) {
      std::snprintf(
          buf, sizeof(buf),
          R"({"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"events"},"stream_state":{"last_id":%zu}}}})"
          "\n",
          n);
      line += buf;
      ++stream.states;
    }
    out << line;
    stream.bytes += line.size();
  }
  return stream;
}

struct Result {
  double seconds = 0;
  size_t bytes = 0, lines = 0;
  long max_rss_kib = 0;
  double cpu_seconds = 0;  // user + system, with waited-for children
  int status = -1;
  std::string stderr_tail;
};

// Runs `argv`, feeds `input` on stdin (kept open until the child exits: a
// capture ends when Flow closes stdin), drains stdout counting lines.
Result Run(const std::vector<std::string>& argv, const std::string& input) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) std::abort();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid;
  if (::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) {
    std::fprintf(stderr, "cannot run %s\n", args[0]);
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (!input.empty() && ::write(in[1], input.data(), input.size()) != static_cast<ssize_t>(input.size())) std::abort();

  Result result;
  std::vector<char> buffer(1 << 20);
  std::string err_text;
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    pollfd fds[2] = {{out_open ? out[0] : -1, POLLIN, 0}, {err_open ? err[0] : -1, POLLIN, 0}};
    ::poll(fds, 2, -1);
    if (fds[0].revents) {
      ssize_t n = ::read(out[0], buffer.data(), buffer.size());
      if (n <= 0) {
        out_open = false;
      } else {
        result.bytes += static_cast<size_t>(n);
        for (const char* p = buffer.data(); (p = static_cast<const char*>(std::memchr(p, '\n', buffer.data() + n - p)));
             ++p) {
          ++result.lines;
        }
      }
    }
    if (fds[1].revents) {
      ssize_t n = ::read(err[0], buffer.data(), buffer.size());
      if (n <= 0)
        err_open = false;
      else
        err_text.append(buffer.data(), static_cast<size_t>(n));
      if (err_text.size() > 8192) err_text.erase(0, err_text.size() - 8192);
    }
  }
  int status;
  rusage usage;
  ::wait4(pid, &status, 0, &usage);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(in[1]);
  ::close(out[0]);
  ::close(err[0]);
  result.status = status;
  result.max_rss_kib = usage.ru_maxrss;
  result.cpu_seconds =
      usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  result.stderr_tail = err_text;
  return result;
}

std::string OpenRequest() {
  return R"({"open":{"capture":{"name":"bench/capture","connectorType":"IMAGE","config":{},"bindings":[)"
         R"({"resourceConfig":{"stream":"users","syncMode":"incremental"},"collection":{"name":"bench/users","key":["/id"],)"
         R"("writeSchema":{"type":"object","properties":{"id":{"type":"integer"},"created_at":{"type":"string","format":"date-time"},"updated_at":{"type":"string","format":"date-time"},"orders":{"type":"array","items":{"type":"object","properties":{"placed_at":{"type":"string","format":"date-time"}}}}}}}},)"
         R"({"resourceConfig":{"stream":"events","syncMode":"incremental"},"collection":{"name":"bench/events","key":["/id"],)"
         R"("writeSchema":{"type":"object","properties":{"id":{"type":"integer"},"occurred_at":{"format":"date-time"}}}}},)"
         R"({"resourceConfig":{"stream":"invoices","namespace":"billing","syncMode":"full_refresh"},"collection":{"name":"bench/invoices","key":["/invoice"],)"
         R"("writeSchema":{"type":"object","properties":{"invoice":{"type":"string"}}}}}]},)"
         R"("range":{"keyEnd":4294967295,"rClockEnd":4294967295},"state":{}}})"
         "\n";
}

Result RunShim(const Options& options, const std::string& file, const std::string& dir) {
  // `#` makes the shell ignore the Airbyte arguments: the connector just writes the file.
  std::vector<std::string> argv = {options.shim, "--connector-entrypoint", "cat '" + file + "' #", "--connector-dir",
                                   dir};
  argv.insert(argv.end(), options.shim_flags.begin(), options.shim_flags.end());
  return Run(argv, OpenRequest());
}

double Mb(size_t bytes) { return static_cast<double>(bytes) / 1e6; }

bool Succeeded(const Result& r) { return WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0; }

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--megabytes=", 0) == 0)
      options.megabytes = std::stoul(arg.substr(12));
    else if (arg.rfind("--runs=", 0) == 0)
      options.runs = std::stoi(arg.substr(7));
    else if (arg.rfind("--shim=", 0) == 0)
      options.shim = arg.substr(7);
    else if (arg.rfind("--generate=", 0) == 0)
      options.generate_only = arg.substr(11);
    else if (arg.rfind("--shim-flag=", 0) == 0)
      options.shim_flags.push_back(arg.substr(12));
    else {
      std::fprintf(stderr,
                   "usage: capture-bench [--megabytes=N] [--runs=N] [--shim=PATH] [--shim-flag=FLAG]... "
                   "[--generate=PATH]\n");
      return 2;
    }
  }
  if (!options.generate_only.empty()) {
    const Stream stream = Generate(options.generate_only, options.megabytes << 20);
    std::printf("%s: %.1f MB, %zu records, %zu states\n", options.generate_only.c_str(), Mb(stream.bytes),
                stream.records, stream.states);
    std::fputs(OpenRequest().c_str(), stderr);
    return 0;
  }
  char dir_template[] = "/tmp/atf-bench-XXXXXX";
  const std::string dir = ::mkdtemp(dir_template);
  const std::string file = dir + "/stream.jsonl";
  const Stream stream = Generate(file, options.megabytes << 20);
  std::printf("stream: %.1f MB, %zu records, %zu states, 3 streams (nested objects, arrays, date-times)\n",
              Mb(stream.bytes), stream.records, stream.states);

  Result hop, pipe, shim;
  for (int run = 0; run < options.runs; ++run) {
    Result h = Run({"/bin/cat", file}, "");
    if (run == 0 || h.seconds < hop.seconds) hop = h;
    Result p = Run({"/bin/sh", "-c", "cat '" + file + "' | cat"}, "");
    if (run == 0 || p.seconds < pipe.seconds) pipe = p;
    Result s = RunShim(options, file, dir);
    if (!Succeeded(s)) {
      std::fprintf(stderr, "the shim failed (status %d):\n%s\n", s.status, s.stderr_tail.c_str());
      return 1;
    }
    if (run == 0 || s.seconds < shim.seconds) shim = s;
  }
  // opened + one captured per record + one checkpoint per state (+ a final one when the last line is a record).
  const size_t expected = 1 + stream.records + stream.states + (stream.records % 1000 == 0 ? 0 : 1);
  if (hop.bytes != stream.bytes || pipe.bytes != stream.bytes || shim.lines != expected) {
    std::fprintf(stderr, "output mismatch: hop %zu, pipe copy %zu of %zu bytes, shim %zu of %zu lines\n", hop.bytes,
                 pipe.bytes, stream.bytes, shim.lines, expected);
    return 1;
  }
  std::printf("one pipe hop (cat):          %7.3f s  %8.1f MB/s\n", hop.seconds, Mb(stream.bytes) / hop.seconds);
  std::printf("raw pipe copy (cat | cat):   %7.3f s  %8.1f MB/s\n", pipe.seconds, Mb(stream.bytes) / pipe.seconds);
  std::printf("shim (json codec):           %7.3f s  %8.1f MB/s  %9.0f records/s  (%.2f CPU s incl. the connector)\n",
              shim.seconds, Mb(stream.bytes) / shim.seconds, stream.records / shim.seconds, shim.cpu_seconds);
  std::printf("ratio shim / raw pipe copy:  %7.2f  (target >= 0.50)\n", pipe.seconds / shim.seconds);
  std::printf("ratio shim / one pipe hop:   %7.2f\n", hop.seconds / shim.seconds);
  std::printf("peak RSS:                    %7.1f MiB  (target <= 32 MiB)\n", shim.max_rss_kib / 1024.0);

  // One 64 MiB record.
  {
    std::ofstream big(file, std::ios::binary | std::ios::trunc);
    big << R"({"type":"RECORD","record":{"stream":"users","data":{"id":1,"blob":")" << std::string(64 << 20, 'x')
        << R"("},"emitted_at":1}})"
        << "\n"
        << R"({"type":"STATE","state":{"data":{"done":true}}})"
        << "\n";
  }
  Result big = RunShim(options, file, dir);
  const bool big_ok = Succeeded(big) && big.lines == 3 && big.bytes > (64u << 20);
  std::printf("64 MiB record:               %s in %.2f s, peak RSS %.1f MiB\n", big_ok ? "passed" : "FAILED",
              big.seconds, big.max_rss_kib / 1024.0);

  std::remove(file.c_str());
  ::rmdir(dir.c_str());
  return big_ok ? 0 : 1;
}
