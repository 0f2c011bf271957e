export { createRetentionJob, type RetentionJob, type RetentionJobOptions } from './retention-job.js';
