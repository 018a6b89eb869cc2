import { applicationsStep } from '../checks/gitops/applications.js';
import type { Runbook } from './types.js';

/** Argo CD Applications: the GitOps view of the same platform. */
export const gitops: Runbook = {
  id: 'gitops',
  title: 'GitOps applications',
  steps: [applicationsStep],
};
