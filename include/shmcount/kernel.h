/* A kernel of your own for shmcount: a shared object that shmcount loads with
 * --kernel plugin:PATH[:SYMBOL] and times, places, verifies, sweeps and reports like its own.
 *
 * The shared object exports one function, `shmcount_kernel` (or SYMBOL), returning a description
 * of the kernel whose `abi` is SHMCOUNT_KERNEL_ABI. On every rank, shmcount calls `count` once
 * per unit of work with the node's shared array, read-only, and a table of counts to add into:
 *
 *     for (size_t i = 0; i < n; ++i)
 *       if ((uint32_t)data[i] < counts->values) shmcount_add(counts, (size_t)data[i], 1);
 *
 * The table is where --counts puts it: the rank's own memory (private), one table in shared
 * memory for the node's ranks (shared: adds are atomic), or the rank's own table in shared memory
 * (packed: its counters interleaved with its neighbours', so they share cache lines; padded: on
 * cache lines of its own). shmcount zeroes it before every unit, outside the timed region, and
 * checks it after: the table must hold the count of every value 0..values-1 in `data` (times the
 * node's ranks for a shared table). A kernel whose result is not the counts (any routine over the
 * shared array) gives `verify` instead: shmcount then calls it after every unit and trusts it.
 *
 * Inside `count` a kernel may start threads (join them before it returns), fork (the child is
 * never a rank: whatever way it ends, it ends alone), block signals (shmcount restores its own
 * mask after every call) or move itself to other CPUs (the records say where it ran, not where
 * shmcount bound it). Ending the process in any way (exit, _exit, abort, a fatal signal) ends the
 * job with one line naming the kernel, exit 1.
 *
 * Build: cc -O2 -fPIC -shared -I<prefix>/include my_kernel.c -o libmy_kernel.so
 */
#ifndef SHMCOUNT_KERNEL_H
#define SHMCOUNT_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this interface. shmcount refuses a plugin built against another one. */
#define SHMCOUNT_KERNEL_ABI 1

/* The symbol shmcount looks up when --kernel plugin:PATH names none. */
#define SHMCOUNT_KERNEL_SYMBOL "shmcount_kernel"

/* Where to add counts: the count of value v lives at base[v * stride]. */
struct shmcount_counts {
  uint64_t* base;
  size_t values; /* Values counted: 0..values-1. */
  size_t stride; /* 1, or the node's ranks for --counts packed. */
  int atomic;    /* Non-zero when other ranks add into the same counters at the same time. */
};

/* Adds n to the count of value v (v < counts->values), atomically when it must be. */
static inline void shmcount_add(const struct shmcount_counts* counts, size_t v, uint64_t n) {
  uint64_t* cell = counts->base + v * counts->stride;
  if (counts->atomic) {
    __atomic_fetch_add(cell, n, __ATOMIC_RELAXED);
  } else {
    *cell += n;
  }
}

/* The current count of value v. */
static inline uint64_t shmcount_get(const struct shmcount_counts* counts, size_t v) {
  return __atomic_load_n(counts->base + v * counts->stride, __ATOMIC_RELAXED);
}

struct shmcount_kernel {
  uint32_t abi;            /* SHMCOUNT_KERNEL_ABI. */
  const char* name;        /* Short, for the summary and the run context ("unrolled"). */
  const char* description; /* One line. */
  /* What one unit is made of, for rates: the work and its unit ("element visits", "compares").
   * NULL work_per_unit: one per element. */
  double (*work_per_unit)(uint64_t size, uint64_t values);
  const char* work_unit;
  /* Count updates (shmcount_add calls) one unit makes, for the summary's updates per second.
   * NULL: one per element. */
  double (*updates_per_unit)(uint64_t size, uint64_t values);
  /* One unit: adds the counts of data[0, n) into `counts` (required). */
  void (*count)(const int32_t* data, size_t n, const struct shmcount_counts* counts);
  /* For a kernel whose result is not the counts: 0 when the unit that just ran was right, else
   * non-zero with a message in why (at most why_size bytes). NULL: shmcount checks the counts. */
  int (*verify)(const int32_t* data, size_t n, const struct shmcount_counts* counts, char* why,
                size_t why_size);
};

/* What the shared object exports (its name is SHMCOUNT_KERNEL_SYMBOL unless --kernel says). */
typedef const struct shmcount_kernel* (*shmcount_kernel_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* SHMCOUNT_KERNEL_H */
