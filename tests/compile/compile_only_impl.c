/* Nothing but the implementation: what a user's media.c compiles to. */
#define MEDIA_IMPLEMENTATION
#include "media.h"
