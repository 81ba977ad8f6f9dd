/* Tiny shared test harness. A test program is a list of cases; a case passes
   when none of its checks fails. Every program ends with "N passed, N failed".
   TEST_SKIP() marks a case that could not run (a tool is missing): under
   MEDIA_STRICT=1 in the environment it counts as a failure, never as a pass. */
#ifndef MEDIA_TEST_HARNESS_H
#define MEDIA_TEST_HARNESS_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

static int harness_passed, harness_failed, harness_skipped;
static int harness_case_failures, harness_case_skipped;

#define CHECK(cond) CHECKF(cond, "%s", #cond)
#define CHECKF(cond, ...) \
    do { \
        if (!(cond)) { \
            if (harness_case_failures++ < 10) { \
                fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__); \
                fprintf(stderr, __VA_ARGS__); \
                fputc('\n', stderr); \
            } \
        } \
    } while (0)
#define CHECK_EQ_INT(a, b) \
    do { \
        long long ha_ = (long long)(a), hb_ = (long long)(b); \
        CHECKF(ha_ == hb_, "%s == %s (%lld vs %lld)", #a, #b, ha_, hb_); \
    } while (0)
#define CHECK_NEAR(a, b, tol) \
    do { \
        double ha_ = (double)(a), hb_ = (double)(b); \
        CHECKF(ha_ - hb_ <= (tol) && hb_ - ha_ <= (tol), "%s ~= %s (%.6f vs %.6f, tol %g)", #a, #b, ha_, hb_, (double)(tol)); \
    } while (0)

static inline void harness_skip(const char *why)
{
    harness_case_skipped = 1;
    fprintf(stderr, "  skipped: %s\n", why);
}
#define TEST_SKIP(why) do { harness_skip(why); return; } while (0)

static inline void harness_run(const char *name, void (*fn)(void))
{
    const char *strict = getenv("MEDIA_STRICT");
    harness_case_failures = 0;
    harness_case_skipped = 0;
    fn();
    if (harness_case_failures) {
        harness_failed++;
        printf("FAIL %s (%d failed checks)\n", name, harness_case_failures);
    } else if (harness_case_skipped) {
        if (strict && strcmp(strict, "1") == 0) {
            harness_failed++;
            printf("FAIL %s (skipped under MEDIA_STRICT=1)\n", name);
        } else {
            harness_skipped++;
            printf("skip %s\n", name);
        }
    } else {
        harness_passed++;
        printf("ok   %s\n", name);
    }
    fflush(stdout);
}
#define RUN(fn) harness_run(#fn, fn)

static inline int harness_summary(void)
{
    if (harness_skipped) printf("%d passed, %d failed, %d skipped\n", harness_passed, harness_failed, harness_skipped);
    else printf("%d passed, %d failed\n", harness_passed, harness_failed);
    return harness_failed ? 1 : 0;
}

/* Seeded xorshift64*: reproducible random inputs, no global state in the library. */
static uint64_t harness_rng = 0x9E3779B97F4A7C15ull;
static inline void harness_seed(uint64_t s) { harness_rng = s ? s : 1; }
static inline uint32_t harness_rand(void)
{
    harness_rng ^= harness_rng >> 12;
    harness_rng ^= harness_rng << 25;
    harness_rng ^= harness_rng >> 27;
    return (uint32_t)((harness_rng * 0x2545F4914F6CDD1Dull) >> 32);
}
#endif
