// The workflow-token permissions a run needs, from its inputs and the event: what the README's
// workflows must grant, and what the preflight names when the token falls short.
import type { GitHubFacts } from '../context.js'
import type { Inputs } from './inputs.js'

/** The facts of the run the permissions depend on. */
type RunFacts = Pick<GitHubFacts, 'actions' | 'ref'>

export type Permission = 'read' | 'write'

export interface RequiredPermissions {
  contents: Permission
  packages?: Permission
}

/** Whether to make a GitHub Release: asked for, or "auto" on a tag run under GitHub Actions. */
export function wantsGitHubRelease(inputs: Inputs, github: RunFacts): boolean {
  if (inputs.githubRelease !== 'auto') return inputs.githubRelease
  return github.actions && github.ref.startsWith('refs/tags/') && inputs.ociLayout === ''
}

/** A run for a branch (no tag input): a dev build, which makes no GitHub Release. */
function isBranchRun(inputs: Inputs, github: RunFacts): boolean {
  return inputs.tag === '' && github.ref.startsWith('refs/heads/')
}

export function requiredPermissions(inputs: Inputs, github: RunFacts): RequiredPermissions {
  const out: RequiredPermissions = { contents: 'read' } // actions/checkout
  // A push-by-digest job only pushes a platform manifest; its merge job does the rest.
  const distributes = !inputs.dryRun && !inputs.pushByDigest
  const writesContents = isBranchRun(inputs, github)
    ? inputs.devIndexFile !== '' && inputs.indexBranch !== '' // the dev index on the branch
    : wantsGitHubRelease(inputs, github) || inputs.indexBranch !== ''
  if (distributes && writesContents) out.contents = 'write'
  // ghcr.io with the workflow token (no password input): the token must be allowed to push.
  const workflowTokenPushes =
    inputs.registry === 'ghcr.io' && inputs.ociLayout === '' && inputs.password === ''
  if (workflowTokenPushes && !inputs.dryRun) out.packages = 'write'
  return out
}
