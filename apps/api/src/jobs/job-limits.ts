/** The most jobs one worker process runs at once per queue; JOBS_CONCURRENCY (1-64) limits all of them together. */
export const MAX_WORKER_CONCURRENCY = 64;
