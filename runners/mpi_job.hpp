// The MPI job as shmcount sees it: the world, this node's ranks, and one way to fail together.
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "common/error.hpp"
#include "memory/node_group.hpp"

namespace shmcount {

// Thrown on every rank once a failure has been reported; main() turns it into an exit code.
struct JobFailed {
  int exit_code = kExitFailure;
};

class MpiJob {
 public:
  // MPI_Init, then one communicator per node (MPI_COMM_TYPE_SHARED) and the node's index.
  MpiJob(int* argc, char*** argv);
  ~MpiJob();
  MpiJob(const MpiJob&) = delete;
  MpiJob& operator=(const MpiJob&) = delete;

  int world_rank = 0;
  int world_size = 1;
  int node_rank = 0;  // Rank within this node; 0 is the node leader.
  int node_size = 1;
  int node_index = 0;  // Nodes are numbered by their leaders' world ranks.
  int node_count = 1;
  std::string host;
  MPI_Comm node = MPI_COMM_NULL;

  bool is_leader() const { return node_rank == 0; }

  // Runs `step`, which must make no MPI call, on every rank. If it throws Error on any rank, the
  // lowest failing rank prints "shmcount: ..." once and every rank throws JobFailed with that
  // error's exit status: one message, the same non-zero exit everywhere, no MPI_Abort. No rank
  // leaves before the message is written, so the launcher cannot end the job before it is seen.
  template <class Step>
  void all_or_none(Step&& step) const {
    std::string message;
    int code = 0;
    try {
      step();
    } catch (const Error& e) {
      message = e.what();
      if (message.empty()) message = "unknown error";
      code = e.exit_code();
    }
    agree(message, code);
  }

  // Gathers one string (any bytes) from every rank to world rank 0, in world-rank order (empty
  // elsewhere).
  std::vector<std::string> gather_strings(const std::string& mine) const;

  // A barrier over the world that waits asleep (polling every millisecond) instead of spinning, so
  // ranks that wait do not take cores from ranks that work when the node is oversubscribed.
  void quiet_barrier() const;

  // Gathers one string from every rank of this node to every rank of it, in node-rank order.
  std::vector<std::string> node_allgather_strings(const std::string& mine) const;

  // Broadcasts world rank 0's string to every rank.
  std::string broadcast_string(const std::string& from_rank0) const;

 private:
  void agree(const std::string& local_message, int local_code) const;
};

// The node's ranks of a job, as the sharing mechanisms see them (memory/node_group.hpp).
class MpiNodeGroup : public NodeGroup {
 public:
  explicit MpiNodeGroup(const MpiJob& job) : job_(job) {}
  bool is_leader() const override { return job_.is_leader(); }
  int local_rank() const override { return job_.node_rank; }
  int local_size() const override { return job_.node_size; }
  void all_or_none(const std::function<void()>& step) const override { job_.all_or_none(step); }
  std::string from_leader(const std::string& bytes) const override;
  void barrier() const override;
  WindowMemory allocate_window(std::size_t bytes) const override;

 private:
  const MpiJob& job_;
};

// Prints "shmcount: <message>" to stderr, naming the rank when it is not rank 0. Control
// characters in the message (from a host name, a path) are shown escaped.
void report_error(int world_rank, const std::string& host, const std::string& message);

}  // namespace shmcount
