// IOHYVE_API marks what the shared library exports. The library is built
// with hidden visibility (lib/meson.build), so only the classes and
// functions of these public headers that carry the mark are part of its ABI;
// everything in lib/src (iohyve_api::detail) stays internal. The attribute
// is understood by g++ and clang alike (also FreeBSD's base clang).
//
// What carries it: every non-template class or struct declared in
// lib/include/iohyve_api and every function defined in the library.
// Templates and inline functions are compiled into the caller and need none.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define IOHYVE_API __attribute__((visibility("default")))
// For a private nested class of an exported class (handler::impl): it would
// otherwise take the enclosing class's visibility and export its
// out-of-line members.
#define IOHYVE_HIDDEN __attribute__((visibility("hidden")))
#else
#define IOHYVE_API
#define IOHYVE_HIDDEN
#endif
