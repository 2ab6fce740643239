/**
 * A failure the user can act on. Its message is shown as-is by `core.setFailed`,
 * so it must say what was wrong and how to fix it; anything else that escapes
 * is a bug in the action and is reported as such.
 */
export class ActionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ActionError'
  }
}
