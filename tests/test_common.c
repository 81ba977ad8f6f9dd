/* The common section: result codes are a stable contract (their numbers are
   asserted literally), each has its own description, and the clock is monotonic. */
#include "../media.h"
#include "harness.h"

static void test_result_numbers_are_stable(void)
{
    CHECK_EQ_INT(MEDIA_OK, 0);
    CHECK_EQ_INT(MEDIA_ERROR, -1);
    CHECK_EQ_INT(MEDIA_EINVAL, -2);
    CHECK_EQ_INT(MEDIA_ENOMEM, -3);
    CHECK_EQ_INT(MEDIA_ENOSPC, -4);
    CHECK_EQ_INT(MEDIA_EPARSE, -5);
    CHECK_EQ_INT(MEDIA_ENOTFOUND, -6);
    CHECK_EQ_INT(MEDIA_EUNSUPPORTED, -7);
    CHECK_EQ_INT(MEDIA_ESTATE, -8);
    CHECK_EQ_INT(MEDIA_EAGAIN, -9);
    CHECK_EQ_INT(MEDIA_ESOCKET, -10);
    CHECK_EQ_INT(MEDIA_EIO, -11);
    CHECK_EQ_INT(MEDIA_ETIMEOUT, -12);
    CHECK_EQ_INT(MEDIA_ENEGOTIATION, -13);
    CHECK_EQ_INT(MEDIA_EREJECTED, -14);
}

static void test_every_result_has_its_own_description(void)
{
    int a, b;
    for (a = MEDIA_EREJECTED; a <= MEDIA_OK; a++) {
        const char *s = media_result_string(a);
        CHECK(s != NULL && s[0] != 0 && strcmp(s, "unknown result") != 0);
        for (b = a + 1; b <= MEDIA_OK; b++) CHECKF(strcmp(s, media_result_string(b)) != 0, "%d and %d share a description", a, b);
    }
    CHECK(strcmp(media_result_string(1), "unknown result") == 0);
    CHECK(strcmp(media_result_string(-1000), "unknown result") == 0);
    CHECK(strcmp(media_result_string(MEDIA_EPARSE), "malformed input") == 0);
}

static void test_clock_is_monotonic(void)
{
    uint64_t prev = media_now_us(), t;
    int i, back = 0;
    for (i = 0; i < 100000; i++) {
        t = media_now_us();
        if (t < prev) back++;
        prev = t;
    }
    CHECK_EQ_INT(back, 0);
    CHECK(prev > 0);
}

static void test_version_macros(void)
{
    char v[32];
    snprintf(v, sizeof v, "%d.%d.%d", MEDIA_VERSION_MAJOR, MEDIA_VERSION_MINOR, MEDIA_VERSION_PATCH);
    CHECK(strcmp(v, MEDIA_VERSION_STRING) == 0);
}

int main(void)
{
    RUN(test_result_numbers_are_stable);
    RUN(test_every_result_has_its_own_description);
    RUN(test_clock_is_monotonic);
    RUN(test_version_macros);
    return harness_summary();
}
