/* The implementation, in a translation unit of its own, as a program embeds
   it: the tests and fuzzers that use only the API link this object (built
   once per compiler variant) instead of compiling media.h's implementation
   into each of them. The session tests carry their own, with a counting
   allocator (sessnet.h). */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "../media.h"
