/**
 * Benchmarks run on the simulated continuum (sim:// clusters), which the
 * console refuses unless NEMO_ALLOW_SIMULATED=1. Imported first, before
 * anything reads the environment.
 */
process.env.NEMO_ALLOW_SIMULATED ??= "1";
