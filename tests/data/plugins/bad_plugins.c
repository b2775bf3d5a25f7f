/* Plugin kernels that go wrong in each way shmcount must report (tests/program/plugins.sh): one
 * shared object per case, chosen by -DCASE when it is built (tests/CMakeLists.txt). */
#include <shmcount/kernel.h>
#include <stdlib.h>

/* The rank this process is, from the launcher's variables (Open MPI, PMI, PMIx); -1 when no
 * launcher set one (a singleton run). */
static int my_rank(void) {
  const char* r = getenv("OMPI_COMM_WORLD_RANK");
  if (!r) r = getenv("PMI_RANK");
  if (!r) r = getenv("PMIX_RANK");
  return r ? atoi(r) : -1;
}

static void honest(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  for (size_t i = 0; i < n; ++i) {
    const uint32_t v = (uint32_t)data[i];
    if (v < counts->values) shmcount_add(counts, v, 1);
  }
}

/* Counts one element too many, on rank 1 (or the only rank). */
static void miscounts(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  honest(data, n, counts);
  if (my_rank() == 1 || my_rank() == -1) shmcount_add(counts, 0, 1);
}

/* Dereferences NULL on rank 1. */
static void crashes(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  if (my_rank() == 1) {
    volatile int* nowhere = NULL;
    *nowhere = 1;
  }
  honest(data, n, counts);
}

#if CASE == 1 /* Another interface version. */
const struct shmcount_kernel* shmcount_kernel(void) {
  static const struct shmcount_kernel k = {.abi = SHMCOUNT_KERNEL_ABI + 1, .count = honest};
  return &k;
}
#elif CASE == 2 /* The wrong symbol: nothing named shmcount_kernel. */
const struct shmcount_kernel* some_other_name(void) { return NULL; }
#elif CASE == 3
const struct shmcount_kernel* shmcount_kernel(void) {
  static const struct shmcount_kernel k = {
      .abi = SHMCOUNT_KERNEL_ABI, .name = "crash", .count = crashes};
  return &k;
}
#elif CASE == 4
const struct shmcount_kernel* shmcount_kernel(void) {
  static const struct shmcount_kernel k = {
      .abi = SHMCOUNT_KERNEL_ABI, .name = "miscount", .count = miscounts};
  return &k;
}
#endif
