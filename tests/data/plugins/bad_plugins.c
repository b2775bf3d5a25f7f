/* Plugin kernels that go wrong in each way shmcount must report (tests/program/plugins.sh): one
 * shared object per case, chosen by -DCASE when it is built (tests/CMakeLists.txt). */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <shmcount/kernel.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

/* A child of fork() on rank 1, once: it returns into shmcount as a second copy of the rank, calls
 * exit(0), or crashes; the kernel waits for it and counts honestly. */
static void fork_then(int how) {
  static int forked;
  if (my_rank() != 1 || forked) return;
  forked = 1;
  const pid_t child = fork();
  if (child == 0) {
    if (how == 1) exit(0);
    if (how == 2) {
      volatile int* nowhere = NULL;
      *nowhere = 1;
    }
    return; /* how == 0: back into shmcount, in the child. */
  }
  if (child > 0) waitpid(child, NULL, 0);
}
static void forks_returning(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  fork_then(0);
  honest(data, n, counts);
}
static void forks_exiting(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  fork_then(1);
  honest(data, n, counts);
}
static void forks_crashing(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  fork_then(2);
  honest(data, n, counts);
}
KERNEL(forks_and_returns, forks_returning)
KERNEL(forks_and_exits, forks_exiting)
KERNEL(forks_and_crashes, forks_crashing)

/* Starts a thread of its own on rank 1 that calls exit(0); the kernel returns once it runs. */
static volatile int thread_running;
static void* exits_zero(void* arg) {
  (void)arg;
  thread_running = 1;
  exit(0);
}
static void thread_exits(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  static int started;
  pthread_t t;
  if (my_rank() == 1 && !started && pthread_create(&t, NULL, exits_zero, NULL) == 0) {
    started = 1;
    pthread_detach(t);
    while (!thread_running) sched_yield();
  }
  honest(data, n, counts);
}
KERNEL(thread_calls_exit, thread_exits)

/* Counts with 4 threads of its own, each a quarter into counts of its own, joined and added up
 * before it returns. */
struct slice {
  const int32_t* data;
  size_t n;
  uint64_t values;
  uint64_t* counts;
};
static void* count_slice(void* arg) {
  const struct slice* s = arg;
  for (size_t i = 0; i < s->n; ++i) {
    const uint32_t v = (uint32_t)s->data[i];
    if (v < s->values) ++s->counts[v];
  }
  return NULL;
}
static void threads(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  pthread_t t[4];
  struct slice s[4];
  int started[4] = {0};
  for (int i = 0; i < 4; ++i) {
    s[i] = (struct slice){data + n * i / 4, n * (i + 1) / 4 - n * i / 4, counts->values,
                          calloc(counts->values, sizeof(uint64_t))};
    started[i] = pthread_create(&t[i], NULL, count_slice, &s[i]) == 0;
    if (!started[i]) count_slice(&s[i]);
  }
  for (int i = 0; i < 4; ++i) {
    if (started[i]) pthread_join(t[i], NULL);
    for (uint64_t v = 0; v < counts->values; ++v) {
      if (s[i].counts[v]) shmcount_add(counts, v, s[i].counts[v]);
    }
    free(s[i].counts);
  }
}
KERNEL(spawns_threads, threads)

/* Blocks every signal it can on its first call, then on rank 1 crashes on its third. */
static void blocks_signals_then_crashes(const int32_t* data, size_t n,
                                        const struct shmcount_counts* counts) {
  static int calls;
  sigset_t all;
  sigfillset(&all);
  if (calls == 0) pthread_sigmask(SIG_BLOCK, &all, NULL);
  if (++calls == 3 && my_rank() == 1) {
    volatile int* nowhere = NULL;
    *nowhere = 1;
  }
  honest(data, n, counts);
}
static void blocks_signals_only(const int32_t* data, size_t n,
                                const struct shmcount_counts* counts) {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  honest(data, n, counts);
}
KERNEL(blocks_signals, blocks_signals_only)
KERNEL(blocks_signals_and_crashes, blocks_signals_then_crashes)

/* Moves rank 0 (or the only rank) to the next CPU after the first it is bound to, once. */
static void moves_itself(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  static int moved;
  if (my_rank() <= 0 && !moved) {
    cpu_set_t now, to;
    moved = 1;
    if (sched_getaffinity(0, sizeof now, &now) == 0) {
      int first = 0;
      while (first < CPU_SETSIZE - 1 && !CPU_ISSET(first, &now)) ++first;
      CPU_ZERO(&to);
      CPU_SET((first + 1) % (int)sysconf(_SC_NPROCESSORS_ONLN), &to);
      sched_setaffinity(0, sizeof to, &to);
    }
  }
  honest(data, n, counts);
}
KERNEL(changes_affinity, moves_itself)

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
#elif CASE == 6 /* A constructor that crashes: on rank CTOR_CRASH_RANK, or on every rank. */
__attribute__((constructor)) static void crash_when_loaded(void) {
  const char* on = getenv("CTOR_CRASH_RANK");
  if (!on || atoi(on) == my_rank()) {
    volatile int* nowhere = NULL;
    *nowhere = 1;
  }
}
const struct shmcount_kernel* shmcount_kernel(void) {
  static const struct shmcount_kernel k = {
      .abi = SHMCOUNT_KERNEL_ABI, .name = "ctor", .count = honest};
  return &k;
}
#endif
