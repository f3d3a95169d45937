// The CPU this process has spent so far (getrusage RUSAGE_SELF, user + system), in seconds.
#pragma once

#include <sys/resource.h>

inline double cpu_seconds_self() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  const auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}
