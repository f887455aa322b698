// Early return on error for code that returns result<T> or status, as `?`
// would in Rust: one definition for the library's sources (not installed).
#pragma once

#include <utility>

// Declares `var` with the value of the result<T> `expr`, or returns its error.
#define IOHYVE_TRY(var, expr)                      \
  auto var##_r = (expr);                           \
  if (!var##_r) return std::move(var##_r).error(); \
  auto var = std::move(var##_r).value()

// Returns the error of the status/result `expr`, if it has one.
#define IOHYVE_CHECK(expr)                 \
  do {                                     \
    if (auto check_s_ = (expr); !check_s_) \
      return std::move(check_s_).error();  \
  } while (0)
