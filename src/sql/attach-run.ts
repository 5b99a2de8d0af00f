// attachRun: stamps the pid and run id of the process that actually runs a job.
import type { Statement } from '../db/database.ts';

/** Gated on the lease like every write of a running job. $1 job id, $2 lease token, $3 pid, $4 run id. */
export const attachRun: Statement = {
  name: 'wf_attach_run',
  text: `
    UPDATE wf_jobs
    SET pid = $3::integer, run_id = $4::text
    WHERE id = $1::bigint AND status = 'running' AND lease_token = $2::text`,
};
