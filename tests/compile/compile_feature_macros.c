/* The user's feature macros are left alone: in a gnu build (where the C
   library shows its POSIX and BSD functions by default) media.h defines
   none of its own, so what the user's file calls after it is still
   declared (usleep, gone from POSIX 2008, is the usual victim). */
#define MEDIA_IMPLEMENTATION
#include "media.h"
#include <unistd.h>

int sleep_a_little(void);
int sleep_a_little(void) { return usleep(1000); }
