// Fault injection for the fault suite, read once from SHMCOUNT_FAULT. Production runs have it
// unset and then nothing here has any effect.
//
//   SHMCOUNT_FAULT=CALL:ERRNO@RANK   make CALL (one of fault_calls(): shmget, shm_open, mmap,
//                                    mbind, tmpfile, ...) fail once with ERRNO (e.g. ENOSPC) on
//                                    world rank RANK
//   SHMCOUNT_FAULT=stall:PHASE@RANK  wait for SIGUSR1 at PHASE (start, allocated (the shared
//                                    memory exists, nothing has touched it), attached, kernel,
//                                    timed (inside the first timed repetition), gather, write,
//                                    link (between naming the CSV and naming the JSON))
//   SHMCOUNT_FAULT=miscount@RANK     corrupt one count after the kernel on RANK
//   SHMCOUNT_FAULT=slow:refusal@RANK make RANK take a second before it refuses a command line
//   SHMCOUNT_FAULT=handoff@RANK      in a latency map (--latency), RANK's first store to the
//                                    bounced line skips a step, as a handoff that lost a turn
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace shmcount {

// A system call that a fault can make fail: its name in SHMCOUNT_FAULT and where it is made.
struct FaultCall {
  std::string_view name;
  std::string_view where;
};

// Every call site that inject_call_fault() guards, one entry each (the fault suite covers them
// all: tests/program/faults.sh reads this list through `shmcount --list faults`).
std::span<const FaultCall> fault_calls();

struct FaultPlan {
  // A fault_calls() name, "stall", "miscount", "slow", "handoff", or empty for none.
  std::string what;
  std::string arg;  // ERRNO name or PHASE.
  int rank = -1;
  int err = 0;  // errno value for call faults.

  // Reads SHMCOUNT_FAULT; throws Error when it is set but malformed.
  static FaultPlan from_environment();
  bool targets(int world_rank) const { return !what.empty() && rank == world_rank; }
};

// The fault for this process (after set_process_fault); none by default.
const FaultPlan& process_fault();
void set_process_fault(const FaultPlan& fault, int world_rank);

// True once for a call fault aimed at `call` (a fault_calls() name) on this process; sets errno.
bool inject_call_fault(const char* call);

// Sleeps a second, when this process is told to be slow at `phase`.
void maybe_slow(const char* phase);

// Waits, when this process is told to stall at `phase`, until SIGUSR1 (so a test can look at or
// kill the job there).
void maybe_stall(const char* phase);

}  // namespace shmcount
