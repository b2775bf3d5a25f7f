// Progress of a long run on stderr, never on stdout: world rank 0 only, only when stderr is a
// terminal or --progress asks for it, and only once the run has taken about 2 s. A thread
// redraws twice a second from the phase the run notes (run_phase.hpp); on a terminal it
// rewrites one line, elsewhere it prints a line when the phase or repetition changed.
#pragma once

#include <atomic>
#include <thread>

namespace shmcount {

class Progress {
 public:
  // Starts reporting when `enabled`; `terminal` chooses one rewritten line over many lines.
  Progress(bool enabled, bool terminal);
  ~Progress();  // Stops, and clears the line on a terminal.
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void stop();

 private:
  void run();
  bool terminal_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace shmcount
