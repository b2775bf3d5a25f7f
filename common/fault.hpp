// Fault injection for the fault suite, read once from SHMCOUNT_FAULT. Production runs have it
// unset and then nothing here has any effect.
//
//   SHMCOUNT_FAULT=CALL:ERRNO@RANK   make CALL (shmget, shmat, shmctl; tmpfile: the O_TMPFILE
//                                    open of the result files) fail once with ERRNO
//                                    (e.g. ENOSPC) on world rank RANK
//   SHMCOUNT_FAULT=stall:PHASE@RANK  wait for SIGUSR1 at PHASE (start, attached, kernel,
//                                    timed (inside the first timed repetition), gather, write,
//                                    link (between naming the CSV and naming the JSON))
//   SHMCOUNT_FAULT=miscount@RANK     corrupt one count after the kernel on RANK
//   SHMCOUNT_FAULT=slow:refusal@RANK make RANK take a second before it refuses a command line
#pragma once

#include <string>

namespace shmcount {

struct FaultPlan {
  std::string what;  // "shmget", "shmat", "shmctl", "stall", "miscount", or empty for none.
  std::string arg;   // ERRNO name or PHASE.
  int rank = -1;
  int err = 0;  // errno value for call faults.

  // Reads SHMCOUNT_FAULT; throws Error when it is set but malformed.
  static FaultPlan from_environment();
  bool targets(int world_rank) const { return !what.empty() && rank == world_rank; }
};

// The fault for this process (after set_process_fault); none by default.
const FaultPlan& process_fault();
void set_process_fault(const FaultPlan& fault, int world_rank);

// True once for a call fault aimed at `call` on this process; sets errno.
bool inject_call_fault(const char* call);

// Sleeps a second, when this process is told to be slow at `phase`.
void maybe_slow(const char* phase);

// Waits, when this process is told to stall at `phase`, until SIGUSR1 (so a test can look at or
// kill the job there).
void maybe_stall(const char* phase);

}  // namespace shmcount
