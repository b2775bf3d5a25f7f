/* Plugin kernels that go wrong in each way shmcount must report (tests/program/plugins.sh): one
 * shared object per case, chosen by -DCASE when it is built (tests/CMakeLists.txt). */
#include <math.h>
#include <shmcount/kernel.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#elif CASE == 5 /* Every other way, one symbol each (plugin:PATH:SYMBOL). */
/* Data, not a function. */
int an_int = 42;

/* Each ends the process on rank 1, its own way. */
static void ends_with_exit(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  if (my_rank() == 1) exit(0);
  honest(data, n, counts);
}
static void ends_with__exit(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  if (my_rank() == 1) _exit(7);
  honest(data, n, counts);
}
static void ends_with_abort(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  if (my_rank() == 1) abort();
  honest(data, n, counts);
}
/* Writes past a small block, over the allocator's records, and frees it twice (the C library
 * sees it and aborts). */
static void overwrites_heap(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  if (my_rank() == 1) {
    char* volatile block = malloc(24);
    memset(block, 0x5a, 40);
    free(block);
    free(block);
  }
  honest(data, n, counts);
}
#define KERNEL(symbol, fn, ...)                                                 \
  const struct shmcount_kernel* symbol(void) {                                  \
    static const struct shmcount_kernel k = {                                   \
        .abi = SHMCOUNT_KERNEL_ABI, .name = #symbol, .count = fn, __VA_ARGS__}; \
    return &k;                                                                  \
  }
KERNEL(calls_exit, ends_with_exit)
KERNEL(calls__exit, ends_with__exit)
KERNEL(calls_abort, ends_with_abort)
KERNEL(damages_heap, overwrites_heap)

/* Figures that are not figures. */
static double minus_infinity(uint64_t size, uint64_t values) { return -INFINITY + size + values; }
static double not_a_number(uint64_t size, uint64_t values) { return NAN + size + values; }
static double zero(uint64_t size, uint64_t values) { return 0 * (size + values); }
static double too_many(uint64_t size, uint64_t values) { return 1e300 + size + values; }
static double negative(uint64_t size, uint64_t values) { return -1.0 - size - values; }
KERNEL(work_minus_infinity, honest, .work_per_unit = minus_infinity)
KERNEL(work_nan, honest, .work_per_unit = not_a_number)
KERNEL(work_zero, honest, .work_per_unit = zero)
KERNEL(work_too_many, honest, .work_per_unit = too_many)
KERNEL(updates_negative, honest, .updates_per_unit = negative)
KERNEL(updates_nan, honest, .updates_per_unit = not_a_number)

/* A description that is not one: a crash in describing itself, a pointer to nowhere, a count
 * "function" that is data. */
const struct shmcount_kernel* crashes_describing(void) {
  volatile int* nowhere = NULL;
  return (const struct shmcount_kernel*)(size_t)*nowhere;
}
const struct shmcount_kernel* points_nowhere(void) {
  return (const struct shmcount_kernel*)(uintptr_t)16;
}
static int32_t not_code[64];
const struct shmcount_kernel* count_is_data(void) {
  static struct shmcount_kernel k = {.abi = SHMCOUNT_KERNEL_ABI, .name = "count_is_data"};
  k.count = (void (*)(const int32_t*, size_t, const struct shmcount_counts*))(void*)not_code;
  return &k;
}
const struct shmcount_kernel* name_nowhere(void) {
  static struct shmcount_kernel k = {.abi = SHMCOUNT_KERNEL_ABI, .count = honest};
  k.name = (const char*)(uintptr_t)8;
  return &k;
}
#endif
