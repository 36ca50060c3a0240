// visit_dtype: call a templated lambda with the C++ storage type of a runtime DType.
//
//   return visit_dtype<float, double, int64_t>(x.dtype(), "Add", [&]<typename T>() -> Status { ... });
//
// The type list names what the caller supports; any other dtype gives a NotImplemented Status that
// names the op, the dtype and the supported list.
#pragma once

#include <string>
#include <string_view>

#include "onyx/status.h"
#include "onyx/tensor.h"

namespace onyx {

template <typename... Ts, typename F>
Status visit_dtype(DType dtype, std::string_view what, F&& fn) {
  Status result;
  const bool matched = ((dtype == dtype_of_storage<Ts>() ? (result = fn.template operator()<Ts>(), true) : false) || ...);
  if (matched) return result;
  std::string supported;
  ((supported += (supported.empty() ? "" : ", ") + dtype_name(dtype_of_storage<Ts>())), ...);
  return not_implemented(std::string(what) + ": dtype " + dtype_name(dtype) + " is not supported (supported: " +
                         supported + ")");
}

// Common type lists, spelled out as macros-free helpers via template aliases in callers:
//   visit_dtype<ONYX_FLOAT_TYPES>(...) is avoided on purpose; list the types at the call site.

}  // namespace onyx
