import { shown } from '../log/escape.js'

/** The programs that fetch over TLS on the action's behalf; each reads its trusted authorities from its own setting. */
export type Hop = 'action' | 'pip' | 'git'

/**
 * Node's codes (OpenSSL's X509_V_ERR names) for a chain that does not end in
 * an authority Node trusts: what a private or corporate certificate authority
 * gives, and what adding that authority cures. A certificate that is expired
 * or names another host fails with other codes, which no setting here cures.
 */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA'
])

/** Whether a TLS error code says the certificate chain is not trusted (rather than expired, revoked, for another host). */
export function isUntrustedCode(code: string): boolean {
  return UNTRUSTED.has(code)
}

/**
 * The one wording of where each program takes extra trusted authorities
 * from, the failing hop first: a private authority that one hop does not
 * trust, the others will not trust either. pip reads REQUESTS_CA_BUNDLE
 * (through requests) before PIP_CERT, so when that is set it is the one to
 * change.
 */
export function trustAdvice(failing: Hop, env: NodeJS.ProcessEnv = process.env): string {
  const settings: Record<Hop, string> = {
    action: "NODE_EXTRA_CA_CERTS for the action's own downloads",
    pip: env.REQUESTS_CA_BUNDLE
      ? `REQUESTS_CA_BUNDLE for pip (it is set, to '${shown(env.REQUESTS_CA_BUNDLE)}', and overrides PIP_CERT)`
      : 'PIP_CERT for pip (REQUESTS_CA_BUNDLE, when set, overrides it)',
    git: 'GIT_SSL_CAINFO for git'
  }
  const order = [failing, ...(['action', 'pip', 'git'] as const).filter(hop => hop !== failing)]
  return (
    "If the server's certificate comes from a private certificate authority, put that authority's certificate (PEM) in a file " +
    `and point the job's environment at it: ${order.map(hop => settings[hop]).join(', ')}.`
  )
}
