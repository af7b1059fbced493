/** /jobs: an ExMerge-style job document submitted by an administrator; progress and report. */
import { Router } from 'express';
import { z } from 'zod';
import { validateJob } from '../src/jobs/index.js';
import type { Services } from '../src/services.js';
import { ADMIN, guard } from './auth.js';
import { callerOf } from './context.js';
import { IdParams, parse } from './params.js';

const JobBody = z.strictObject({ document: z.record(z.string(), z.unknown()) });

export function jobsRouter(services: Services): Router {
  const r = Router();

  r.post('/jobs', guard(services, 'createJob', ADMIN), async (req, res) => {
    const { document } = parse(JobBody, req.body, 'body');
    const doc = validateJob(document, 'document');
    const { id } = await services.merges.startJob(callerOf(res), doc, services.config.home);
    res.status(202).location(`${req.baseUrl}/jobs/${id}`).json(services.merges.job(id));
  });

  r.get('/jobs/:id', guard(services, 'getJob', ADMIN), (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    res.json(services.merges.job(id));
  });

  return r;
}
