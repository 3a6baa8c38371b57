// The offline verifier's decisions, in the browser: the same checks, reasons and codes as
// trustcircle/attestations/verify.py (tests/test_offline_page.py holds the two to the same cases).
// JOSE is jose's (signatures, keys), the SD-JWT mechanics are @sd-jwt/decode's, digests and
// inflating are the browser's own (WebCrypto, DecompressionStream); nothing here is fetched.

import { compactVerify, decodeProtectedHeader, importJWK } from "jose";
import { createHashMapping, decodeSdJwt, getClaims, splitSdJwt } from "@sd-jwt/decode";

export const CREDENTIAL_TYPE = "dc+sd-jwt";
export const KEY_BINDING_TYPE = "kb+jwt";
export const TRUST_LIST_TYPE = "trustcircle-trust-list+jwt";
export const STATUS_LIST_TYPE = "statuslist+jwt";
export const CLOCK_SKEW_S = 60;
export const MAX_INFLATED_BYTES = 16 * 1024 * 1024;
export const ENVELOPE = ["iss", "vct", "iat", "nbf", "exp", "status", "cnf"];
const STATUS_NAMES = { 0: "valid", 1: "revoked", 2: "suspended" };
const BITS = [1, 2, 4, 8];

class Refused extends Error {
  constructor(code, message) {
    super(message);
    this.reason = { code, message };
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function unb64url(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function b64url(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export async function sha256(data) {
  const bytes = typeof data === "string" ? encoder.encode(data) : new Uint8Array(data);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

async function hasher(data, alg) {
  if (String(alg).toLowerCase() !== "sha-256") throw new Error(`unsupported digest ${alg}`);
  return sha256(data);
}

function jsonPart(token, index) {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Refused("malformed", "the credential is not a compact JWS");
  let value;
  try {
    value = JSON.parse(decoder.decode(unb64url(parts[index])));
  } catch {
    throw new Refused("malformed", `the credential's ${index === 0 ? "header" : "payload"} is not JSON`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Refused("malformed", "the credential's header or payload is not a JSON object");
  }
  return value;
}

const isInt = (v) => Number.isInteger(v);

async function verifyWith(token, jwk) {
  const header = decodeProtectedHeader(token);
  const key = await importJWK(jwk, header.alg);
  return compactVerify(token, key);
}

/** The key of `keys` (a JWKS's keys) a token's header names; every key when it names none. */
function candidates(keys, kid) {
  return keys.filter((k) => kid === undefined || kid === null || k.kid === kid);
}

// --- the trust list ----------------------------------------------------------------------------

export class TrustListError extends Error {}

function https(url, what) {
  let scheme;
  try {
    scheme = new URL(url).protocol;
  } catch {
    scheme = "";
  }
  if (scheme !== "https:") throw new TrustListError(`${what} '${url}' is not an https URL`);
  return url;
}

/** The trust list, once signed by `federationKey` (a public JWK), of its type and not older than
 * its own rules allow at `now` (seconds); a TrustListError saying why otherwise. */
export async function verifyTrustList(token, federationKey, now) {
  let verified;
  try {
    verified = await verifyWith(token, federationKey);
  } catch (err) {
    throw new TrustListError(`the trust list is not signed by the federation's key (${err.message})`);
  }
  if (verified.protectedHeader.typ !== TRUST_LIST_TYPE) {
    throw new TrustListError(`the trust list has type '${verified.protectedHeader.typ}', not ${TRUST_LIST_TYPE}`);
  }
  let list;
  try {
    const claims = JSON.parse(decoder.decode(verified.payload));
    const rules = claims.rules;
    list = {
      federation: String(claims.iss),
      issuedAt: claims.iat,
      sequence: claims.sequence,
      rules: {
        maxStatusListAge: rules.max_status_list_age_s,
        maxTrustListAge: rules.max_trust_list_age_s,
        maxPresentationAge: rules.max_presentation_age_s,
        verifiers: rules.verifiers || {},
      },
      issuers: claims.issuers.map((i) => ({
        id: https(String(i.id), "issuer"),
        name: String(i.name),
        keys: i.jwks.keys,
        statusLists: i.status_lists.map((u) => https(String(u), "status list")),
      })),
    };
    for (const n of [list.issuedAt, list.sequence, list.rules.maxStatusListAge, list.rules.maxTrustListAge,
      list.rules.maxPresentationAge]) {
      if (!isInt(n)) throw new TrustListError("the trust list is malformed: a number is missing");
    }
  } catch (err) {
    if (err instanceof TrustListError) throw err;
    throw new TrustListError(`the trust list is malformed: ${err.message}`);
  }
  const age = now - list.issuedAt;
  if (age > list.rules.maxTrustListAge) {
    throw new TrustListError(`the trust list is ${age} s old; the rules allow ${list.rules.maxTrustListAge} s: `
      + "refresh it online");
  }
  return list;
}

// --- status lists ------------------------------------------------------------------------------

export class StatusListError extends Error {}

async function inflate(compressed) {
  const stream = new Blob([compressed]).stream().pipeThrough(new DecompressionStream("deflate"));
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_INFLATED_BYTES) {
        await reader.cancel();
        throw new StatusListError(`status_list.lst inflates beyond ${MAX_INFLATED_BYTES} bytes`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof StatusListError) throw err;
    throw new StatusListError(`status_list.lst is not ZLIB-compressed or is truncated: ${err.message}`);
  }
  const raw = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    raw.set(c, at);
    at += c.length;
  }
  return raw;
}

/** A Status List Token's list, once signed by one of `keys`, of its type, for `uri`, unexpired. */
export async function verifyStatusToken(token, uri, keys, now) {
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch (err) {
    throw new StatusListError(`the status list token for ${uri} is not a compact JWS: ${err.message}`);
  }
  if (header.typ !== STATUS_LIST_TYPE) {
    throw new StatusListError(`the status list token for ${uri} has type '${header.typ}', not ${STATUS_LIST_TYPE}`);
  }
  let verified = null;
  for (const key of candidates(keys, header.kid || undefined)) {
    try {
      verified = await verifyWith(token, key);
      break;
    } catch {
      // the next key
    }
  }
  if (verified === null) throw new StatusListError(`the status list token for ${uri} is not signed by its issuer's keys`);
  const claims = JSON.parse(decoder.decode(verified.payload));
  if (claims.sub !== uri) throw new StatusListError(`the status list token is for '${claims.sub}', not ${uri}`);
  if (!isInt(claims.iat)) throw new StatusListError(`the status list token for ${uri} has no iat`);
  if (claims.exp !== undefined && claims.exp !== null && (!isInt(claims.exp) || claims.exp <= now)) {
    throw new StatusListError(`the status list token for ${uri} expired at ${claims.exp}`);
  }
  const encoded = claims.status_list;
  if (!encoded || typeof encoded.lst !== "string") throw new StatusListError("status_list must be an object with a string lst");
  if (!BITS.includes(encoded.bits)) throw new StatusListError(`status_list.bits must be one of ${BITS}, not ${encoded.bits}`);
  let compressed;
  try {
    compressed = unb64url(encoded.lst);
  } catch (err) {
    throw new StatusListError(`not base64url: ${err.message}`);
  }
  const raw = await inflate(compressed);
  if (raw.length === 0) throw new StatusListError("status_list.lst is empty");
  const bits = encoded.bits;
  const size = Math.floor((raw.length * 8) / bits);
  return {
    uri,
    issuedAt: claims.iat,
    size,
    get(index) {
      if (!(index >= 0 && index < size)) throw new StatusListError(`index ${index} is outside the list (0..${size - 1})`);
      const position = index * bits;
      return (raw[Math.floor(position / 8)] >> (position % 8)) & ((1 << bits) - 1);
    },
  };
}

// --- the presentation --------------------------------------------------------------------------

function* digests(value) {
  if (Array.isArray(value)) {
    for (const item of value) yield* digests(item);
  } else if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    for (const key of keys) {
      const item = value[key];
      if (key === "_sd" && Array.isArray(item)) {
        for (const d of item) if (typeof d === "string") yield d;
      } else if (key === "..." && typeof item === "string" && keys.length === 1) {
        yield item;
      } else {
        yield* digests(item);
      }
    }
  }
}

/** Every disclosure presented is referenced by a digest, of the signed payload or of another one. */
function checkDisclosures(payload, byDigest) {
  const referenced = new Set();
  const pending = [...digests(payload)];
  while (pending.length) {
    const digest = pending.pop();
    if (referenced.has(digest)) continue;
    referenced.add(digest);
    if (digest in byDigest) pending.push(...digests(byDigest[digest].value));
  }
  const stray = Object.keys(byDigest).filter((d) => !referenced.has(d));
  if (stray.length) throw new Refused("disclosure-mismatch", `${stray.length} disclosure(s) match no digest the issuer signed`);
}

async function keyBinding(presentation, kbJwt, cnf, audience, nonce, now, maxAge) {
  if (!cnf || typeof cnf !== "object" || !cnf.jwk || typeof cnf.jwk !== "object") {
    return [{ code: "no-holder-binding", message: "the credential binds no holder key (cnf.jwk)" }];
  }
  let verified;
  try {
    verified = await verifyWith(kbJwt, cnf.jwk);
  } catch {
    return [{ code: "wrong-holder-key", message: "the presentation is not signed by the key the credential is bound to" }];
  }
  const claims = JSON.parse(decoder.decode(verified.payload));
  const reasons = [];
  if (verified.protectedHeader.typ !== KEY_BINDING_TYPE) {
    reasons.push({ code: "malformed", message: `the key-binding JWT has type '${verified.protectedHeader.typ}', not ${KEY_BINDING_TYPE}` });
  }
  if (claims.aud !== audience) {
    reasons.push({ code: "wrong-audience", message: `the presentation is for '${claims.aud}', not '${audience}'` });
  }
  if (claims.nonce !== nonce) {
    reasons.push({ code: "replayed", message: "the presentation does not carry the nonce this verification asked for" });
  }
  const issued = claims.iat;
  if (!isInt(issued) || issued > now + CLOCK_SKEW_S) {
    reasons.push({ code: "replayed", message: "the presentation's time (iat) is missing or in the future" });
  } else if (now - issued > maxAge) {
    reasons.push({ code: "replayed", message: `the presentation was made ${now - issued} s ago; the rules allow ${maxAge} s` });
  }
  const signedPart = presentation.slice(0, presentation.length - kbJwt.length);
  if (claims.sd_hash !== b64url(await sha256(signedPart))) {
    reasons.push({ code: "tampered", message: "the presentation's disclosures are not the ones its holder signed (sd_hash)" });
  }
  return reasons;
}

async function status(payload, issuer, statusLists, now, maxAge) {
  const reference = payload.status && typeof payload.status === "object" ? payload.status.status_list : undefined;
  if (!reference || typeof reference !== "object" || !isInt(reference.idx) || typeof reference.uri !== "string") {
    return [{ code: "no-status", message: "the credential carries no status list reference (status.status_list)" }];
  }
  const { uri, idx } = reference;
  let scheme = "";
  try {
    scheme = new URL(uri).protocol;
  } catch {
    // not a URL: not https either
  }
  if (scheme !== "https:") return [{ code: "status-over-http", message: `the status list ${uri} is not served over https` }];
  if (!issuer.statusLists.includes(uri)) {
    return [{ code: "unknown-status-list", message: `${uri} is not one of ${issuer.id}'s status lists in the trust list` }];
  }
  const token = statusLists[uri];
  if (typeof token !== "string") {
    return [{ code: "status-unavailable", message: `no copy of the status list ${uri}: refresh it online` }];
  }
  let list;
  try {
    list = await verifyStatusToken(token, uri, issuer.keys, now);
  } catch (err) {
    return [{ code: "status-unavailable", message: err.message }];
  }
  if (isInt(payload.iat) && list.issuedAt < payload.iat) {
    return [{ code: "status-too-old", message: `the status list ${uri} was published before this credential was issued: refresh it online` }];
  }
  const age = now - list.issuedAt;
  if (age > maxAge) {
    return [{ code: "status-too-old", message: `the status list ${uri} is ${age} s old; the rules allow ${maxAge} s: refresh it online` }];
  }
  let value;
  try {
    value = list.get(idx);
  } catch (err) {
    return [{ code: "no-status", message: err.message }];
  }
  if (value === 0) return [];
  const name = STATUS_NAMES[value] || `status ${value}`;
  return [{ code: value === 1 ? "revoked" : name, message: `the issuer's status list says ${name}` }];
}

/** The decision on `presentation` for `verifier` (the key-binding audience), which asked for the
 * claims `requested` with `nonce`: `{accepted, issuer, claims, reasons}` as verify.py's as_dict.
 * `statusLists` maps a status list's URI to its cached token; `now` is in seconds. */
export async function verifyPresentation(presentation, trustList, statusLists, verifier, nonce, requested, now) {
  try {
    return await decide(presentation.trim(), trustList, statusLists, verifier, nonce, requested, now);
  } catch (err) {
    if (err instanceof Refused) return { accepted: false, issuer: null, claims: {}, reasons: [err.reason] };
    throw err;
  }
}

async function decide(presentation, trustList, statusLists, verifier, nonce, requested, now) {
  const rules = trustList.rules;
  const allowed = rules.verifiers[verifier] || [];
  const beyond = requested.filter((c) => !allowed.includes(c));
  if (beyond.length) throw new Refused("not-allowed", `the rules do not let '${verifier}' ask for ${beyond.join(", ")}`);
  const parts = presentation.split("~");
  if (parts.length < 2 || !parts[parts.length - 1]) throw new Refused("no-holder-binding", "the presentation has no key-binding JWT");
  const credential = parts[0];
  const kbJwt = parts[parts.length - 1];
  const header = jsonPart(credential, 0);
  const unverified = jsonPart(credential, 1);
  if (header.typ !== CREDENTIAL_TYPE) throw new Refused("malformed", `the credential has type '${header.typ}', not ${CREDENTIAL_TYPE}`);
  const issuer = trustList.issuers.find((i) => i.id === String(unverified.iss));
  if (!issuer) throw new Refused("unknown-issuer", `'${unverified.iss}' is not an issuer of the trust list`);
  const keys = candidates(issuer.keys, header.kid);
  if (keys.length !== 1) throw new Refused("tampered", `no single key of ${issuer.id} has the credential's kid '${header.kid}'`);
  try {
    await verifyWith(credential, keys[0]);
  } catch {
    throw new Refused("tampered", `the credential's signature is not ${issuer.id}'s`);
  }
  const signed = unverified;
  let claims;
  try {
    const { disclosures } = splitSdJwt(presentation);
    const decoded = await decodeSdJwt(presentation, hasher);
    if (decoded.disclosures.length !== disclosures.length) throw new Error("a disclosure could not be read");
    checkDisclosures(signed, await createHashMapping(decoded.disclosures, { hasher, alg: "sha-256" }));
    claims = await getClaims(signed, decoded.disclosures, hasher);
  } catch (err) {
    if (err instanceof Refused) throw err;
    throw new Refused("disclosure-mismatch", `the disclosures do not fit the credential (${err.message})`);
  }
  const reasons = [];
  if (!isInt(signed.exp)) reasons.push({ code: "malformed", message: "the credential has no expiry (exp)" });
  else if (signed.exp <= now) reasons.push({ code: "expired", message: `the credential expired ${now - signed.exp} s ago` });
  for (const claim of ["nbf", "iat"]) {
    const moment = signed[claim];
    if (isInt(moment) && moment > now + CLOCK_SKEW_S) {
      reasons.push({ code: "not-yet-valid", message: `the credential's ${claim} is ${moment - now} s in the future` });
    }
  }
  reasons.push(...await keyBinding(presentation, kbJwt, signed.cnf, verifier, nonce, now, rules.maxPresentationAge));
  reasons.push(...await status(signed, issuer, statusLists, now, rules.maxStatusListAge));
  const missing = requested.filter((c) => !(c in claims));
  if (missing.length) reasons.push({ code: "not-disclosed", message: `the presentation does not disclose ${missing.join(", ")}` });
  if (reasons.length) return { accepted: false, issuer: issuer.id, claims: {}, reasons };
  const shown = {};
  for (const k of ENVELOPE) if (k in claims && k !== "cnf") shown[k] = claims[k];
  for (const c of requested) shown[c] = claims[c];
  return { accepted: true, issuer: issuer.id, claims: shown, reasons: [] };
}
