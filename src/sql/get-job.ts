// One job row by id.
import type { Statement } from '../db/database.ts';
import { jobColumns } from './job-columns.ts';

/** $1 job id. */
export const getJob: Statement = {
  name: 'wf_get_job',
  text: `SELECT ${jobColumns('j')} FROM wf_jobs j WHERE j.id = $1::bigint`,
};
