/* Two kernels of one's own for shmcount (--kernel plugin:PATH[:SYMBOL]); see shmcount/kernel.h.
 *
 *   so=build/examples/libshmcount_example_kernels.so
 *   mpirun -np 4 shmcount --kernel plugin:$so
 *   mpirun -np 4 shmcount --kernel plugin:$so:shmcount_sum
 *
 * "unrolled" (the default symbol, shmcount_kernel) is the histogram as fast code writes it: four
 * private sub-histograms, so that equal neighbours do not wait on each other's increments, added
 * into shmcount's table once per value at the end. "sum" (shmcount_sum) is a routine whose result
 * is not the counts: it adds up the shared array (a read stream) and checks itself.
 */
#include <shmcount/kernel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double one_per_value(uint64_t size, uint64_t values) {
  (void)size;
  return (double)values;
}

static void unrolled_count(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  const size_t values = counts->values;
  uint64_t* sub = calloc(4 * values, sizeof *sub);
  if (!sub) abort();
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (size_t k = 0; k < 4; ++k) {
      const uint32_t v = (uint32_t)data[i + k];
      if (v < values) ++sub[k * values + v];
    }
  }
  for (; i < n; ++i) {
    const uint32_t v = (uint32_t)data[i];
    if (v < values) ++sub[v];
  }
  for (size_t v = 0; v < values; ++v) {
    shmcount_add(counts, v, sub[v] + sub[values + v] + sub[2 * values + v] + sub[3 * values + v]);
  }
  free(sub);
}

const struct shmcount_kernel* shmcount_kernel(void) {
  static const struct shmcount_kernel k = {
      .abi = SHMCOUNT_KERNEL_ABI,
      .name = "unrolled",
      .description = "the histogram with four private sub-histograms, added once per value",
      .work_per_unit = NULL, /* One element visit per element. */
      .work_unit = "element visits",
      .updates_per_unit = one_per_value,
      .count = unrolled_count,
      .verify = NULL, /* shmcount checks the counts. */
  };
  return &k;
}

/* The sum of the array of the unit that ran last on this rank. */
static __thread int64_t last_sum;

static void sum_count(const int32_t* data, size_t n, const struct shmcount_counts* counts) {
  (void)counts;
  int64_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += data[i];
  last_sum = sum;
}

static int sum_verify(const int32_t* data, size_t n, const struct shmcount_counts* counts,
                      char* why, size_t why_size) {
  (void)counts;
  int64_t sum = 0;
  for (size_t i = n; i > 0; --i) sum += data[i - 1]; /* Another order, the same sum. */
  if (sum == last_sum) return 0;
  snprintf(why, why_size, "sum %lld, expected %lld", (long long)last_sum, (long long)sum);
  return 1;
}

static double none(uint64_t size, uint64_t values) {
  (void)size;
  (void)values;
  return 0;
}

const struct shmcount_kernel* shmcount_sum(void) {
  static const struct shmcount_kernel k = {
      .abi = SHMCOUNT_KERNEL_ABI,
      .name = "sum",
      .description = "adds up the shared array (a read stream); checks its own result",
      .work_per_unit = NULL,
      .work_unit = "element visits",
      .updates_per_unit = none,
      .count = sum_count,
      .verify = sum_verify,
  };
  return &k;
}
