// How the array is shared among the ranks of a node: one table entry per mechanism, chosen by
// --share and looked up by name, like kernels and strategies. A mechanism allocates the array's
// memory for the node (collectively, through NodeGroup), sets the memory policy and the page
// advice before anything touches it, and says what it supports. The kernels never see how the
// memory was obtained.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/dataset.hpp"
#include "memory/need.hpp"
#include "memory/node_group.hpp"
#include "memory/pages.hpp"
#include "memory/request.hpp"
#include "placement/topology.hpp"

namespace shmcount {

// Whatever keeps a region's memory alive: a segment, a mapping, a window. Released (detached,
// unmapped, freed) when destroyed.
struct RegionOwner {
  virtual ~RegionOwner() = default;
};

// The array as this rank sees it. Move-only; its owner releases the memory on destruction.
struct Region {
  std::int32_t* data = nullptr;
  std::size_t elements = 0;
  std::size_t mapped_bytes = 0;     // Bytes allocated: the array's, rounded up to whole huge pages.
  std::uint64_t* counts = nullptr;  // Shared counts after the array (--counts), or none.
  std::unique_ptr<RegionOwner> owner;
  std::vector<std::string> notes;  // For the summary: rounding, advice without effect.

  std::span<std::int32_t> array() const { return {data, elements}; }
};

// What the array's memory must be, resolved for this node.
struct ShareRequest {
  std::size_t elements = 0;
  PageKind pages = PageKind::kSmall;
  TouchKind touch = TouchKind::kLeader;
  PolicyPlan policy;
  const Topology* topo = nullptr;  // This machine, for the memory policy.
  // Bytes for counts in the shared memory (--counts shared, packed, padded), after the array on
  // a page of their own; 0 for none.
  std::size_t counts_bytes = 0;
  // For messages that name what is too big: --counts and --values (counts_bytes > 0) and the
  // node's ranks.
  std::string_view counts_mode;
  std::size_t values = 0;
  int ranks = 1;
};

struct Mechanism {
  std::string_view name;
  std::string_view description;
  bool shared;                         // One copy per node; false: every rank its own.
  bool huge_pages;                     // --pages huge is possible.
  std::string_view no_huge_pages_why;  // When it is not: why, for the message.
  // Allocates the array's memory on every rank of the node (collective), with the policy set and
  // the page advice given, touching nothing. Throws Error (through all_or_none, on every rank).
  Region (*allocate)(const NodeGroup& group, const ShareRequest& request);
};

// Every mechanism, the default (System V, the seed's) first.
std::span<const Mechanism> mechanism_table();
const Mechanism* find_mechanism(std::string_view name);

// Bytes to allocate for `elements` int32 (and `counts_bytes` of counts after them) with `pages`:
// rounded up to whole huge pages for huge.
std::size_t mapped_bytes_for(std::size_t elements, PageKind pages, std::size_t counts_bytes = 0);
std::size_t mapped_bytes_for(const ShareRequest& request);
// What the request's memory is made of (the array, once or `copies` times, and the count
// tables), for a message that names what is too big.
SizeNeed need_of(const ShareRequest& request, int copies = 1);
// Where the counts start in the region: the array's bytes rounded up to a whole page.
std::size_t counts_offset(std::size_t elements);

// Allocates the array with `mechanism`, then writes it for the first time as `request.touch`
// says (the leader all of it, or each rank its own contiguous slice; with a private copy each
// rank its whole copy), and waits for the node's ranks. Collective.
Region share_array(const NodeGroup& group, const Mechanism& mechanism, const ShareRequest& request,
                   const DataSpec& data);

}  // namespace shmcount
