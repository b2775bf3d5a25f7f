// What a sharing mechanism needs from the ranks of one node, so that mechanisms stay free of MPI
// (the runner implements it over MPI). Steps that must succeed on every rank run through
// all_or_none(): if one rank fails, every rank stops with one message.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace shmcount {

// Memory an MPI library allocated for the node (MPI_Win_allocate_shared): rank 0's base as seen
// here, and how to free it (collective over the node).
struct WindowMemory {
  void* base = nullptr;
  std::size_t bytes = 0;
  std::function<void()> free;
};

class NodeGroup {
 public:
  virtual ~NodeGroup() = default;
  virtual bool is_leader() const = 0;
  virtual int local_rank() const = 0;
  virtual int local_size() const = 0;
  // Runs `step` on every rank of the job; when it throws Error on any, every rank throws.
  virtual void all_or_none(const std::function<void()>& step) const = 0;
  // The node leader's bytes, on every rank of the node.
  virtual std::string from_leader(const std::string& bytes) const = 0;
  // Waits for every rank of the node, asleep.
  virtual void barrier() const = 0;
  // MPI_Win_allocate_shared of `bytes` on the leader, 0 elsewhere, and MPI_Win_shared_query of
  // the leader's base. Collective; throws Error (on every rank) when the library refuses.
  virtual WindowMemory allocate_window(std::size_t bytes) const = 0;
};

}  // namespace shmcount
