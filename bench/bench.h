/* Shared by the benchmarks: the round count and a monotonic clock in seconds. */
#ifndef MEDIA_BENCH_H
#define MEDIA_BENCH_H
#include <time.h>

#define ROUNDS 300   /* each figure is the best of this many interleaved short runs */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
#endif
