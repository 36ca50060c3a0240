// onyx/status.h: Status and Result<T>, the error type at every module boundary.
// Thread safety: plain values; copy freely across threads.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace onyx {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the caller passed something wrong (bad input tensor, bad option)
  kNotFound,          // a file, input, output or initializer does not exist
  kNotImplemented,    // valid ONNX that onyx does not support (yet)
  kInvalidModel,      // the model file is corrupt, truncated or violates the ONNX spec
  kIoError,           // reading or writing a file failed
  kFailedPrecondition,
  kInternal,          // a bug in onyx
};

const char* status_code_name(StatusCode code);

// Status: ok, or an error code with a message that says what, where and what to do.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: input 'input_ids': expected int64, got float32"
  std::string to_string() const;

  // Returns a copy whose message is prefixed with `context + ": "` (used to add where an error happened).
  Status with_context(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status ok_status() { return Status(); }
inline Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status not_implemented(std::string m) { return {StatusCode::kNotImplemented, std::move(m)}; }
inline Status invalid_model(std::string m) { return {StatusCode::kInvalidModel, std::move(m)}; }
inline Status io_error(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status failed_precondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status internal_error(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Result<T>: a T or an error Status (never an ok Status).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}           // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace onyx

#define ONYX_CONCAT_INNER_(a, b) a##b
#define ONYX_CONCAT_(a, b) ONYX_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function if `expr` is an error.
#define ONYX_RETURN_IF_ERROR(expr)                  \
  do {                                              \
    ::onyx::Status onyx_status_tmp_ = (expr);       \
    if (!onyx_status_tmp_.ok()) return onyx_status_tmp_; \
  } while (0)

// `ONYX_ASSIGN_OR_RETURN(auto x, make_x());` declares x from a Result, or returns its error.
#define ONYX_ASSIGN_OR_RETURN(lhs, expr) ONYX_ASSIGN_OR_RETURN_IMPL_(ONYX_CONCAT_(onyx_result_, __LINE__), lhs, expr)
#define ONYX_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
