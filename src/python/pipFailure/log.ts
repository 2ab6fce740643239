/**
 * What pip says only in its `--log` file: its debug level, each line after
 * a timestamp. An index's HTTP errors and failed connections (with
 * `--retries 0`, or a 4xx/5xx), the files it passed over and why, are said
 * only here (pip 18 also prints the fetch failures on its console, so these
 * are searched in both). A new pip's debug wording is added here.
 */
import { lines } from './text.js'

/** `--log` prefixes every line with a timestamp. */
const LOG_STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[,.]\d+ /

export function logLines(log: string | undefined): string[] {
  return log ? lines(log, LOG_STAMP) : []
}

/** A page or file pip could not get: "Could not fetch URL <url>: <urllib3's reason> - skipping". */
export const FETCH_FAILED = /Could not fetch URL (\S+?): (.+) - skipping$/
export const FETCH_404 = /Could not fetch URL (\S+?): 404 Client Error/

/**
 * A file whose Requires-Python excludes this interpreter: pip 19/20 "Link requires a different Python
 * (2.7.18 not in: '>=3.99'): <url>", pip 18 "The package <url> (requires-python:>=3.99) is incompatible
 * with the pythonversion in use. Acceptable python versions are:>=3.99".
 */
export const LINK_OTHER_PYTHON = /Link requires a different Python \((\S+) not in: u?'([^']+)'\): (\S+)/
export const PACKAGE_OTHER_PYTHON_18 = /The package (\S+) .*is incompatible with the pythonversion in use\. Acceptable python versions are:\s*(\S+)/

/**
 * The files pip passed over for their tags: pip 23 "Skipping link: none of the wheel's tags (py2-none-any)
 * are compatible (…): <url>", pip 19 "… tags match: <tags>: <url>", pip 18 "Skipping link <url> (from <page>);
 * it is not compatible with this Python". The groups: tags (23), tags (19), url (23, 19), url (18).
 */
export const SKIPPED_LINK = /Skipping link:? (?:none of the wheel's tags (?:\((.+?)\) are compatible.*?|match: (\S+)): (\S+)|(\S+) .*it is not compatible with this Python)/
