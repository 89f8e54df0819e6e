// Exit statuses of every pbsim command.
#pragma once

namespace pbsim::runner {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // a failure while running (disk full, HDF5 error)
inline constexpr int kExitBadInput = 2; // bad scenario, option, input file or output path
inline constexpr int kExitInterrupted = 130;

} // namespace pbsim::runner
