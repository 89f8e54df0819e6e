// Ctrl-C and SIGTERM ask running work to stop cleanly: the executor stops
// scheduling, finished work stays in the journal, and the command exits 130.
#pragma once

namespace pbsim::runner {

void install_stop_handlers();
bool stop_requested();

} // namespace pbsim::runner
