// shmcount's entry point; the program is the runners library (runners/program.cpp).
#include "runners/program.hpp"

int main(int argc, char** argv) { return shmcount::program_main(argc, argv); }
