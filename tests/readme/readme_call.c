/* Runs README.md's call example as written: run.sh extracts the block tagged
   readme_call into build/test/readme_call.inc. Here a second session offers
   the call, the example answers it, and the offerer (in a child process)
   sends '#' after half a second: the example's call_run() must return, its
   recording written, within a few seconds. Argument: the directory to run in
   (the example plays and records there). */
#define _POSIX_C_SOURCE 200809L
#include "readme_call.inc"
#include <stdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    media_session_config cfg;
    media_session *offerer, *answerer;
    char offer[4096], answer[4096];
    struct stat st;
    int n, err = 0, ok = 1, status = 0;
    pid_t child;
    if (argc < 2 || chdir(argv[1]) != 0) return 2;
    media_session_config_init(&cfg);
    cfg.local_address = "127.0.0.1";
    if (!(offerer = media_session_create(&cfg, &err))) return 2;
    n = media_session_offer_create(offerer, offer, sizeof offer);
    if (n < 0) return 2;
    answerer = call_answer(offer, answer, sizeof answer, &err);
    if (!answerer) { printf("FAIL call_answer: %s\n0 passed, 1 failed\n", media_result_string(err)); return 1; }
    if (media_session_remote_sdp_set(offerer, answer, strlen(answer)) != MEDIA_OK) return 2;
    child = fork();
    if (child < 0) return 2;
    if (child == 0) {   /* the caller: '#' after 0.5 s, then on until the BYE (5 s at most) */
        uint64_t t0 = media_now_us();
        int sent = 0, ms;
        while ((ms = media_session_poll(offerer)) >= 0 && media_now_us() - t0 < 5000000) {
            struct pollfd p = { media_session_fd_get(offerer, 0), POLLIN, 0 };
            if (!sent && media_now_us() - t0 > 500000) sent = media_session_dtmf_send(offerer, "#") == MEDIA_OK;
            poll(&p, 1, ms < 20 ? ms : 20);
        }
        _exit(0);
    }
    alarm(10);   /* call_run() has no way out but the '#': a bounded test ends it */
    call_run(answerer);
    alarm(0);
    if (waitpid(child, &status, WNOHANG) == 0) { kill(child, SIGTERM); waitpid(child, &status, 0); }
    printf("ok   call_run() returned after the caller's '#'\n");
    if (stat("call.wav", &st) == 0 && st.st_size > 44 + 8000) printf("ok   call.wav recorded (%ld bytes)\n", (long)st.st_size);
    else { printf("FAIL call.wav not recorded\n"); ok = 0; }
    media_session_destroy(offerer);
    printf("%d passed, %d failed\n", 1 + ok, !ok);
    return ok ? 0 : 1;
}
