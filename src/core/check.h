// ONYX_CHECK: aborts on programmer errors (broken invariants), never on user input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#define ONYX_CHECK(cond, msg)                                                                    \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      std::fprintf(stderr, "onyx internal error at %s:%d: %s (%s)\n", __FILE__, __LINE__,       \
                   std::string(msg).c_str(), #cond);                                             \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)
