// The guest properties property::parse() accepts, for docs and help texts.
// Private to the library.
#pragma once

#include <span>
#include <string_view>

namespace iohyve_api::detail {

// Names without the "iohyve:" prefix, sorted. Two entries are patterns:
// "mac_tapN" (N = the tap's number) and "pcidev:N" (N = 0..999).
std::span<const std::string_view> settable_property_names() noexcept;

}  // namespace iohyve_api::detail
