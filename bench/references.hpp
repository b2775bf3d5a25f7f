// Reference versions of the kernels, written only to find the limit the kernels are held to
// (issue 14). They are not part of shmcount: they live beside the kernels in the microbenchmarks,
// so that `make bench` measures each kernel path and its reference side by side, in one run.
#pragma once

#include <span>
#include <string_view>

#include "kernels/kernels.hpp"

namespace shmcount {

struct Reference {
  std::string_view name;
  Isa isa;
  KernelFn fn;
  std::string_view kernel;  // The kernel whose path for `isa` must be at least as fast.
  std::string_view description;
};

// Every reference, each built for one instruction set; run only those cpu_supports().
std::span<const Reference> reference_table();

}  // namespace shmcount
