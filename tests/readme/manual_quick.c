/* Runs the manual's quick start (section 1 at the top of media.h) as
   written: run.sh extracts its code into build/test/manual_quick.inc, the
   body of quick() below, which supplies what the snippet leaves to you
   (on_digit, my_call, my_address, the offer, send_200_ok, wait_readable). A second
   session offers the call; once the answer is "sent" it runs in a child
   process and presses '#' after half a second, which on_digit answers with
   media_session_close(): the quick start's loop must then end. Argument:
   the directory to run in (the snippet plays welcome.wav from there). */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "media.h"
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static media_session *offerer;
static pid_t child = -1;
static int digits_heard;

static void on_digit(media_session *s, char d, uint32_t ms, void *user)
{
    (void)ms;
    *(int *)user += 1;
    if (d == '#') media_session_close(s);
}

/* the caller takes the answer and, in a child, presses '#' and stays until the BYE (5 s at most) */
static void send_200_ok(const char *answer)
{
    uint64_t t0;
    int sent = 0, ms;
    if (media_session_remote_sdp_set(offerer, answer, strlen(answer)) != MEDIA_OK) return;
    if ((child = fork()) != 0) return;
    t0 = media_now_us();
    while ((ms = media_session_poll(offerer)) >= 0 && media_now_us() - t0 < 5000000) {
        struct pollfd p = { media_session_fd_get(offerer, 0), POLLIN, 0 };
        if (!sent && media_now_us() - t0 > 500000) sent = media_session_dtmf_send(offerer, "#") == MEDIA_OK;
        poll(&p, 1, ms < 20 ? ms : 20);
    }
    _exit(0);
}

static void wait_readable(int fd0, int fd1, int ms)
{
    struct pollfd p[2] = { { fd0, POLLIN, 0 }, { fd1, POLLIN, 0 } };
    if (poll(p, 2, ms) < 0) perror("poll");
}

/* the prompt the snippet plays: a second of 440 Hz, 8 kHz mono */
static int write_welcome(void)
{
    media_wav_file f;
    int16_t pcm[8000];
    int i, rc;
    for (i = 0; i < 8000; i++) pcm[i] = (int16_t)(8000 * sin(2 * 3.14159265358979 * 440 * i / 8000));
    if ((rc = media_wav_open_write(&f, "welcome.wav", MEDIA_WAV_PCM16, 8000, 1)) != MEDIA_OK) return rc;
    rc = media_wav_write(&f, pcm, 8000);
    return media_wav_close(&f) == MEDIA_OK && rc == MEDIA_OK ? MEDIA_OK : MEDIA_EIO;
}

static int quick(const char *offer, size_t offer_len, void *my_call)
{
    static const char my_address[] = "127.0.0.1";
#include "manual_quick.inc"
    return MEDIA_OK;
}

int main(int argc, char **argv)
{
    media_session_config cfg;
    char offer[4096];
    int err = 0, n, rc, status = 0, ok;
    if (argc < 2 || chdir(argv[1]) != 0 || write_welcome() != MEDIA_OK) return 2;
    media_session_config_init(&cfg);
    cfg.local_address = "127.0.0.1";
    if (!(offerer = media_session_create(&cfg, &err))) return 2;
    if ((n = media_session_offer_create(offerer, offer, sizeof offer)) < 0) return 2;
    alarm(10);   /* the loop's only way out is the '#': a bounded test ends it */
    rc = quick(offer, (size_t)n, &digits_heard);
    alarm(0);
    if (child > 0 && waitpid(child, &status, WNOHANG) == 0) { kill(child, SIGTERM); waitpid(child, &status, 0); }
    ok = rc == MEDIA_OK && digits_heard == 1 && child > 0;
    printf("%s the quick start answered, played, heard the caller's '#' and ended (%s, %d digit)\n",
           ok ? "ok  " : "FAIL", media_result_string(rc), digits_heard);
    media_session_destroy(offerer);
    printf("%d passed, %d failed\n", ok, !ok);
    return ok ? 0 : 1;
}
