// Exceptions thrown by cvcore. Every message names the function, the argument, what was expected
// and what was received, e.g. "conv2d: weight must have 4 dimensions (O, I/groups, kH, kW), got 3".
#pragma once

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

namespace cvcore {

// Base of every cvcore exception.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// A value or shape that is out of the accepted domain (Python: ValueError).
class ValueError : public Error {
 public:
  using Error::Error;
};
// An argument of the wrong type or dtype (Python: TypeError).
class TypeError : public Error {
 public:
  using Error::Error;
};
// An index out of range, e.g. a batch index in RoI boxes (Python: IndexError).
class IndexError : public Error {
 public:
  using Error::Error;
};
// A long call stopped because the interrupt check said so (set_interrupt_check; Python:
// KeyboardInterrupt, or whatever the SIGINT handler raised).
class Interrupted : public Error {
 public:
  using Error::Error;
};
// Memory for an output or a working buffer that could not be allocated (Python: MemoryError); the
// message says how many bytes for what.
class MemoryError : public Error {
 public:
  using Error::Error;
};
// A backend that is not built or failed (Python: RuntimeError).
class BackendError : public Error {
 public:
  using Error::Error;
};

namespace detail {
template <typename... Args>
std::string concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

// Throws E with the concatenation of args when cond is false.
template <typename E = ValueError, typename... Args>
inline void check(bool cond, const Args&... args) {
  if (!cond) throw E(detail::concat(args...));
}

// a * b, or a ValueError naming `what` if the product overflows int64 (or either is negative).
int64_t checked_mul(int64_t a, int64_t b, const char* what);

}  // namespace cvcore
