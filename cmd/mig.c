/*
 * mig.c — the program's entry point: a thin wrapper so that tests can call mig_main() in-process.
 */
#include "cmd.h"

int
main(int argc, char **argv)
{
	return mig_main(argc, argv);
}
