#include "progress.hpp"

#include <chrono>
#include <cstdio>
#include <string>

#include "runners/run_phase.hpp"

namespace shmcount {
namespace {

constexpr auto kQuietStart = std::chrono::seconds(2);
constexpr auto kTick = std::chrono::milliseconds(500);

}  // namespace

Progress::Progress(bool enabled, bool terminal) : terminal_(terminal) {
  if (enabled) thread_ = std::thread([this] { run(); });
}

Progress::~Progress() { stop(); }

void Progress::stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
}

void Progress::run() {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::string last;
  bool drawn = false;
  while (!stop_) {
    std::this_thread::sleep_for(kTick);
    const auto elapsed = Clock::now() - start;
    if (stop_ || elapsed < kQuietStart) continue;
    const PhaseNow now = phase_now();
    std::string what = phase_name(now.phase);
    if (now.reps > 0) {
      what += (now.phase == RunPhase::kPairs ? ", visit " : ", repetition ") +
              std::to_string(now.rep + 1) + " of " + std::to_string(now.reps);
    }
    if (!terminal_ && what == last) continue;
    last = what;
    const double seconds = std::chrono::duration<double>(elapsed).count();
    std::fprintf(stderr, "%sshmcount progress: %s, %.0f s elapsed%s", terminal_ ? "\r\033[K" : "",
                 what.c_str(), seconds, terminal_ ? "" : "\n");
    std::fflush(stderr);
    drawn = true;
  }
  if (terminal_ && drawn) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }
}

}  // namespace shmcount
