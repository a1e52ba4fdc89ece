// Stopping long calls: the check set by set_interrupt_check (cvcore/runtime.hpp), polled by the
// parallel loop's calling thread and by long single-threaded loops (the JSON reader).
#pragma once

namespace cvcore::detail {

// Each thread calls the check at most once per this period.
constexpr int kInterruptPeriodMs = 100;

// Throws cvcore::Interrupted when the interrupt check says so. Cheap when no check is set or the
// period has not passed (one clock read).
void poll_interrupt();

}  // namespace cvcore::detail
