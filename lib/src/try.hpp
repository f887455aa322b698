// Early return on error for code that returns result<T> or status, as `?`
// would in Rust: one definition for the library's sources (not installed).
#pragma once

#include <utility>

// Declares `var` as the value of the result<T> `expr`, or returns its error.
// var refers to the value inside the result (no move of, e.g., a record of
// five strings): to return it, write `return std::move(var);`, since a
// plain `return var;` of a reference copies.
#define IOHYVE_TRY(var, expr)                      \
  auto var##_r = (expr);                           \
  if (!var##_r) return std::move(var##_r).error(); \
  auto& var = var##_r.value()

// Returns the error of the status/result `expr`, if it has one.
#define IOHYVE_CHECK(expr)                 \
  do {                                     \
    if (auto check_s_ = (expr); !check_s_) \
      return std::move(check_s_).error();  \
  } while (0)
