// The words the engine decides by, named once: a user's role, a request's state, a list's tab,
// a school's view of a student, a one-time link's purpose. A misspelt name does not compile,
// where a misspelt string would silently compare unequal. The values are the text the
// database, the JSON API and the definitions use (CONTRACT.md), so they convert at no edge.
#pragma once

#include <string_view>

namespace stagematch {

// User::role, Actor::role, Organisation::type (a school or a service organisation), and a
// transition's `by` in the workflows.
namespace role {
inline constexpr std::string_view kAdmin = "admin";
inline constexpr std::string_view kSchool = "school";
inline constexpr std::string_view kService = "service";
}  // namespace role

// RequestRecord::state: a student in the course, or one who left it (stays in history).
namespace request_state {
inline constexpr std::string_view kActive = "active";
inline constexpr std::string_view kStopped = "stopped";
}  // namespace request_state

// ListInput::tab, RequestQuery::tab: a service's open requests, or the ones it accepted.
namespace list_tab {
inline constexpr std::string_view kOpen = "open";
inline constexpr std::string_view kAccepted = "accepted";
}  // namespace list_tab

// ListInput::school_status: a school's view of a student (kSchoolStatuses in matching.hpp).
namespace school_status {
inline constexpr std::string_view kAccepted = "aanvaard";
inline constexpr std::string_view kNone = "geen";
inline constexpr std::string_view kWaiting = "wacht";
inline constexpr std::string_view kStopped = "gestopt";
}  // namespace school_status

// TokenRecord::purpose: activating a new account, or choosing a new password.
namespace token_purpose {
inline constexpr std::string_view kActivation = "activation";
inline constexpr std::string_view kReset = "reset";
}  // namespace token_purpose

}  // namespace stagematch
