/* A system header before the implementation under -std=c99 without feature
   macros: media.h must stop with its own explanation, not a cascade of errors. */
#include <stdlib.h>
#define MEDIA_IMPLEMENTATION
#include "media.h"
