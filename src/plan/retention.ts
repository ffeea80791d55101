// Which dev version tags a dev build deletes: all but the newest `keep` (by SemVer, which orders
// dev versions by base version, then by commits since the last release), never the one just
// published. Stable tags and anything else are never candidates. Pure.
import semver from 'semver'
import { isDevVersion } from '../version/dev.js'

export interface RetentionChoice {
  /** Dev version tags kept, newest first. */
  keep: string[]
  /** Dev version tags to delete, newest first. */
  remove: string[]
}

/** keep 0: keep every dev tag. */
export function chooseDevTags(
  tags: string[],
  keep: number,
  protect: string[] = []
): RetentionChoice {
  const dev = [...new Set(tags.filter(isDevVersion))].sort(semver.rcompare)
  if (keep <= 0) return { keep: dev, remove: [] }
  const kept = dev.slice(0, keep)
  const out: RetentionChoice = { keep: [], remove: [] }
  for (const t of dev) {
    if (kept.includes(t) || protect.includes(t)) out.keep.push(t)
    else out.remove.push(t)
  }
  return out
}
