/**
 * Imported first by benchmarks whose set-up goes through domain code that
 * logs (instance creation, …): module evaluation follows import order, so the
 * shared logger is created silent unless LOG_LEVEL says otherwise.
 */
process.env.LOG_LEVEL ??= "silent";
