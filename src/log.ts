// A minimal logging surface so that pipeline modules do not depend on
// @actions/core directly: the action wires it to core, the CLI to the console.
export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
  /**
   * Registers a value that must never appear in logs (core.setSecret under Actions), with the
   * one masking rule of secrets.ts. `what` names it in the warning given instead when the value
   * is too short or too common to mask safely, e.g. "the password input".
   */
  secret(value: string, what?: string): void
  /** Whether text holds a registered secret (children must not get such a variable). */
  containsSecret?(text: string): boolean
  group<T>(title: string, fn: () => Promise<T>): Promise<T>
}

export const silentLogger: Logger = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  secret: () => undefined,
  group: (_title, fn) => fn()
}
