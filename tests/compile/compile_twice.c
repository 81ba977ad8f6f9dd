/* A file that includes the declarations, then the implementation: the second
   include must add the implementation and nothing twice. Feature macros come
   first because the implementation's POSIX needs must precede any system header. */
#define _POSIX_C_SOURCE 200809L
#include "media.h"
#include "media.h"
#define MEDIA_IMPLEMENTATION
#include "media.h"
#include "media.h"
int compile_twice_uses(void);
int compile_twice_uses(void) { return (int)media_pcmu_from_linear(0); }
