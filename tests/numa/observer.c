/* An observer for the NUMA tier: a counting kernel (one pass, counts[a[i]]++) that, on its first
 * unit in each rank (after it: the pages are mapped), writes what the kernel says of that rank to
 * $NUMA_OBSERVE_DIR/rank.<rank>: the CPU it runs on, its affinity, and the line of
 * /proc/self/numa_maps for the mapping that holds the array (the kernel's own page counts per node,
 * independent of shmcount's move_pages).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shmcount/kernel.h"

static int observed;

static void observe(const int32_t* data) {
  const char* dir = getenv("NUMA_OBSERVE_DIR");
  const char* rank = getenv("OMPI_COMM_WORLD_RANK");
  if (!rank) rank = getenv("PMI_RANK");
  if (!dir || !rank) return;
  char path[4096];
  snprintf(path, sizeof path, "%s/rank.%s", dir, rank);
  FILE* out = fopen(path, "w");
  if (!out) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  sched_getaffinity(0, sizeof set, &set);
  fprintf(out, "cpu %d\naffinity", sched_getcpu());
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &set)) fprintf(out, " %d", c);
  }
  fprintf(out, "\n");
  char line[8192];
  const unsigned long address = (unsigned long)data;
  /* numa_maps gives only each mapping's start: the array's is the last one at or below it. */
  FILE* maps = fopen("/proc/self/numa_maps", "r");
  unsigned long best_start = 0;
  char best[8192] = "";
  while (maps && fgets(line, sizeof line, maps)) {
    unsigned long start = strtoul(line, NULL, 16);
    if (start <= address && start >= best_start) {
      best_start = start;
      strcpy(best, line);
    }
  }
  if (maps) fclose(maps);
  fprintf(out, "numa_maps %s", best);
  fclose(out);
}

static void count(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  for (size_t i = 0; i < n; ++i) {
    if ((uint32_t)data[i] < counts->values) shmcount_add(counts, (size_t)data[i], 1);
  }
  /* After the first pass: every page of the array is then mapped in this rank too. */
  if (!observed) {
    observed = 1;
    observe(data);
  }
}

static const struct shmcount_kernel kKernel = {
    SHMCOUNT_KERNEL_ABI,
    "observer",
    "histogram that reports its rank's CPU and numa_maps once",
    NULL,
    NULL,
    NULL,
    count,
    NULL};

const struct shmcount_kernel* shmcount_kernel(void) { return &kKernel; }
