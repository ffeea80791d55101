// The steps of a release that reach out in ways unit tests replace (src/pipeline's tests): the
// Go builds and the loading of the .so (fake builds with known metadata), and the registry
// (in-memory targets). Everything else the stages do runs as is in those tests.
import type { PlatformLayer } from '../plan/plan.js'
import {
  buildAndInspect,
  inspectBuilds,
  prepareToolchain,
  type BuildOptions,
  type InspectOptions,
  type PluginBuilds,
  type PluginBuildsWith
} from '../release/plugin-builds.js'
import { openTargets } from '../release/targets.js'

export interface ReleaseSteps {
  /**
   * Builds every platform, checks and inspects each .so, and packs each platform's layer
   * (`pack`) as soon as the plugin's name is known (src/release/plugin-builds.ts).
   */
  build(opts: BuildOptions<PlatformLayer>): Promise<PluginBuildsWith<PlatformLayer>>
  /** Checks and inspects .so files built elsewhere (merge: the matrix jobs' manifests). */
  inspect(opts: InspectOptions): Promise<PluginBuilds>
  /** The plugin and rules repositories: a registry, or OCI image layout directories. */
  openTargets: typeof openTargets
}

/** The real thing: Go (and zig), the inspector, the registry client. */
export const realSteps: ReleaseSteps = {
  build: async (opts) => buildAndInspect({ ...opts, toolchain: await prepareToolchain(opts) }),
  inspect: inspectBuilds,
  openTargets
}
