// Loggers for the two front ends, with a scrubber that removes every
// registered secret from any text before it is printed.
import * as core from '@actions/core'
import type { Logger } from './log.js'

export class SecretScrubber {
  private readonly secrets = new Set<string>()
  add(value: string): void {
    if (value.length >= 3) this.secrets.add(value)
  }
  scrub(text: string): string {
    let out = text
    for (const s of this.secrets) out = out.split(s).join('***')
    return out
  }
}

export function actionsLogger(scrubber: SecretScrubber): Logger {
  return {
    info: (m) => core.info(scrubber.scrub(m)),
    warning: (m) => core.warning(scrubber.scrub(m)),
    debug: (m) => core.debug(scrubber.scrub(m)),
    secret: (v) => {
      scrubber.add(v)
      core.setSecret(v)
    },
    containsSecret: (t) => scrubber.scrub(t) !== t,
    group: (title, fn) => core.group(title, fn)
  }
}

export function consoleLogger(scrubber: SecretScrubber, verbose = false): Logger {
  const err = (m: string) => process.stderr.write(scrubber.scrub(m) + '\n')
  return {
    info: err,
    warning: (m) => err(`warning: ${m}`),
    debug: (m) => (verbose ? err(`debug: ${m}`) : undefined),
    secret: (v) => scrubber.add(v),
    containsSecret: (t) => scrubber.scrub(t) !== t,
    group: async (title, fn) => {
      err(`== ${title}`)
      return fn()
    }
  }
}
