// The whole program behind main() (runners/main.cpp), in the runners library so that its parts
// (launcher, noise, watchdog, ...) are unit-tested without the executable.
#pragma once

namespace shmcount {

// Parses the command line, dispatches, and returns the exit status every rank exits with.
int program_main(int argc, char** argv);

}  // namespace shmcount
