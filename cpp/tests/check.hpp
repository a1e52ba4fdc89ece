// A minimal test harness for the C++ API: TEST(name) { CHECK(...); CHECK_THROWS(...); } and
// CVCORE_TEST_MAIN, which runs every test and prints "N passed, N failed".
#pragma once

#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace cvcore_test {

struct Test {
  const char* name;
  void (*fn)();
};

inline std::vector<Test>& registry() {
  static std::vector<Test> tests;
  return tests;
}

inline bool& current_failed() {
  static bool failed = false;
  return failed;
}

inline bool add(const char* name, void (*fn)()) {
  registry().push_back({name, fn});
  return true;
}

inline void fail(const char* file, int line, const std::string& what) {
  std::printf("  %s:%d: %s\n", file, line, what.c_str());
  current_failed() = true;
}

inline int run_all() {
  int passed = 0, failed = 0;
  for (const Test& t : registry()) {
    current_failed() = false;
    try {
      t.fn();
    } catch (const std::exception& e) {
      fail(__FILE__, __LINE__, std::string("unexpected exception: ") + e.what());
    }
    std::printf("%s %s\n", current_failed() ? "FAIL" : "ok  ", t.name);
    (current_failed() ? failed : passed) += 1;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

inline bool close(double a, double b, double tol) { return std::fabs(a - b) <= tol * (1.0 + std::fabs(b)); }

}  // namespace cvcore_test

#define TEST(name)                                                     \
  static void name();                                                  \
  static const bool name##_registered = cvcore_test::add(#name, &name); \
  static void name()

#define CHECK(cond)                                       \
  do {                                                    \
    if (!(cond)) cvcore_test::fail(__FILE__, __LINE__, #cond); \
  } while (0)

// expr must throw Exc whose message contains `substring`.
#define CHECK_THROWS(expr, Exc, substring)                                                          \
  do {                                                                                              \
    try {                                                                                           \
      expr;                                                                                         \
      cvcore_test::fail(__FILE__, __LINE__, #expr " did not throw " #Exc);                          \
    } catch (const Exc& e) {                                                                        \
      if (std::string(e.what()).find(substring) == std::string::npos)                               \
        cvcore_test::fail(__FILE__, __LINE__, std::string("message '") + e.what() + "' lacks '" + substring + "'"); \
    }                                                                                               \
  } while (0)

#define CVCORE_TEST_MAIN \
  int main() { return cvcore_test::run_all(); }
