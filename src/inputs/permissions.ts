// The workflow-token permissions a run needs, from its inputs and the event: what the README's
// workflows must grant, and what the preflight names when the token falls short.
import type { Inputs } from './inputs.js'

export type Permission = 'read' | 'write'

export interface RequiredPermissions {
  contents: Permission
  packages?: Permission
}

/** Whether to make a GitHub Release: asked for, or "auto" on a tag run under GitHub Actions. */
export function wantsGitHubRelease(inputs: Inputs, env: NodeJS.ProcessEnv): boolean {
  if (inputs.githubRelease !== 'auto') return inputs.githubRelease
  return (
    env.GITHUB_ACTIONS === 'true' &&
    (env.GITHUB_REF ?? '').startsWith('refs/tags/') &&
    inputs.ociLayout === ''
  )
}

/** A run for a branch (no tag input): a dev build, which makes no GitHub Release. */
function isBranchRun(inputs: Inputs, env: NodeJS.ProcessEnv): boolean {
  return inputs.tag === '' && (env.GITHUB_REF ?? '').startsWith('refs/heads/')
}

export function requiredPermissions(inputs: Inputs, env: NodeJS.ProcessEnv): RequiredPermissions {
  const out: RequiredPermissions = { contents: 'read' } // actions/checkout
  // A push-by-digest job only pushes a platform manifest; its merge job does the rest.
  const distributes = !inputs.dryRun && !inputs.pushByDigest
  const writesContents = isBranchRun(inputs, env)
    ? inputs.devIndexFile !== '' && inputs.indexBranch !== '' // the dev index on the branch
    : wantsGitHubRelease(inputs, env) || inputs.indexBranch !== ''
  if (distributes && writesContents) out.contents = 'write'
  // ghcr.io with the workflow token (no password input): the token must be allowed to push.
  const workflowTokenPushes =
    inputs.registry === 'ghcr.io' && inputs.ociLayout === '' && inputs.password === ''
  if (workflowTokenPushes && !inputs.dryRun) out.packages = 'write'
  return out
}
