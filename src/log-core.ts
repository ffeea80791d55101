// Loggers for the two front ends, with a scrubber that removes every registered secret from any
// text before it is printed. Which values are masked, and in which forms, is the one rule of
// secrets.ts; values too short or too common to mask safely are warned about instead.
import * as core from '@actions/core'
import type { Logger } from './log.js'
import { SecretMask } from './secrets.js'

export class SecretScrubber {
  private readonly mask = new SecretMask()
  private readonly refused = new Set<string>()

  /**
   * Masks a value from now on. Returns the new forms to hand to the runner (core.setSecret), or
   * a warning (which never contains the value) when the value is not masked.
   */
  add(value: string, what = 'a secret value'): { forms: string[]; warning?: string } {
    const r = this.mask.add(value)
    if (r.masked) return { forms: r.forms }
    if (r.reason === undefined || this.refused.has(value)) return { forms: [] }
    this.refused.add(value)
    return {
      forms: [],
      warning:
        `${what} is not masked in the logs: ${r.reason}, and masking it would also hide ` +
        'ordinary text such as digests and outputs. A secret like this is easy to guess: ' +
        'replace it with a longer, random one if you can.'
    }
  }

  scrub(text: string): string {
    return this.mask.redact(text)
  }
}

/**
 * The runner reads a line that starts with `::` as a workflow command (`::add-mask::`,
 * `::error::`, `::stop-commands::`...). Log lines can carry text from a build or a plugin, so
 * none of them may start with `::`: a zero-width space after the first colon keeps the text
 * readable and inert. The runner trims whitespace first, so a leading space would not do.
 */
export function inertCommands(text: string): string {
  return text.replace(/^(\s*):(?=:)/gm, '$1:\u200b')
}

export function actionsLogger(scrubber: SecretScrubber): Logger {
  return {
    info: (m) => core.info(inertCommands(scrubber.scrub(m))),
    warning: (m) => core.warning(scrubber.scrub(m)),
    debug: (m) => core.debug(scrubber.scrub(m)),
    secret: (v, what) => {
      const { forms, warning } = scrubber.add(v, what)
      for (const f of forms) core.setSecret(f)
      if (warning) core.warning(warning)
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
    secret: (v, what) => {
      const { warning } = scrubber.add(v, what)
      if (warning) err(`warning: ${warning}`)
    },
    containsSecret: (t) => scrubber.scrub(t) !== t,
    group: async (title, fn) => {
      err(`== ${title}`)
      return fn()
    }
  }
}
