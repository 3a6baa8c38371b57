// The offline verifier page: what the verifier sees and does. The page holds its cache (the
// federation's public key, the trust list, the issuers' status lists) in a JSON block written by
// `trustcircle attest page`; its Content-Security-Policy forbids every connection, so it works the
// same with the network cut, and never sends a presentation anywhere.

import { TrustListError, verifyPresentation, verifyTrustList } from "./verify.js";

const $ = (id) => document.getElementById(id);
const seconds = () => Math.floor(Date.now() / 1000);

function fresh() {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function age(s) {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  if (s < 172800) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} days`;
}

function item(text, className) {
  const li = document.createElement("li");
  li.textContent = text;
  if (className) li.className = className;
  return li;
}

function show(decision) {
  const box = $("decision");
  box.hidden = false;
  box.className = decision.accepted ? "accepted" : "refused";
  box.dataset.accepted = String(decision.accepted);
  $("verdict").textContent = decision.accepted ? "Accepted" : "Refused";
  const claims = $("claims");
  claims.replaceChildren();
  for (const [name, value] of Object.entries(decision.claims)) {
    if (name === "status") continue;
    const row = document.createElement("tr");
    const th = document.createElement("th");
    th.textContent = name;
    const td = document.createElement("td");
    td.textContent = ["exp", "iat", "nbf"].includes(name) ? new Date(value * 1000).toISOString() : String(value);
    row.append(th, td);
    claims.append(row);
  }
  const reasons = $("reasons");
  reasons.replaceChildren(...decision.reasons.map((r) => {
    const li = item(`${r.code}: ${r.message}`);
    li.dataset.code = r.code;
    return li;
  }));
  $("decision-json").textContent = JSON.stringify(decision);
}

async function main() {
  const cache = JSON.parse($("cache").textContent);
  const state = { trustList: null, nonce: null };
  $("verifier").textContent = cache.verifier;
  $("cached-at").textContent = new Date(cache.cached_at * 1000).toISOString();
  const now = seconds();
  try {
    state.trustList = await verifyTrustList(cache.trust_list, cache.federation_key, now);
  } catch (err) {
    if (!(err instanceof TrustListError)) throw err;
    $("trust").className = "refused";
    $("trust").dataset.usable = "false";
    $("trust-state").textContent = `Unusable: ${err.message}. Refresh the cache online (trustcircle attest refresh), then write the page again (trustcircle attest page).`;
    $("ready").textContent = "unusable";
    return;
  }
  const list = state.trustList;
  $("trust").dataset.usable = "true";
  $("trust-state").textContent = `Trust list number ${list.sequence} of ${list.federation}, ${age(now - list.issuedAt)} old `
    + `(the rules allow ${age(list.rules.maxTrustListAge)}); status lists are taken up to ${age(list.rules.maxStatusListAge)} old.`;
  const lists = $("status-lists");
  for (const issuer of list.issuers) {
    for (const uri of issuer.statusLists) {
      lists.append(item(`${issuer.name}: ${uri}${uri in cache.status_lists ? "" : " (no copy: refresh online)"}`));
    }
  }
  const allowed = list.rules.verifiers[cache.verifier] || [];
  const choices = $("choices");
  for (const claim of allowed) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = claim;
    box.name = "ask";
    label.append(box, ` ${claim}`);
    choices.append(label);
  }
  if (!allowed.length) choices.append(item(`the rules let '${cache.verifier}' ask for nothing`));
  $("ask").addEventListener("click", () => {
    state.nonce = fresh();
    $("nonce").textContent = state.nonce;
    $("presentation").value = "";
    $("decision").hidden = true;
    $("verify").disabled = false;
  });
  $("verify").addEventListener("click", async () => {
    const requested = [...document.querySelectorAll("input[name=ask]:checked")].map((b) => b.value);
    const nonce = state.nonce;
    state.nonce = null; // a nonce serves one verification: a presentation sent again is refused
    $("nonce").textContent = "(used: ask again)";
    $("verify").disabled = true;
    const decision = await verifyPresentation($("presentation").value, state.trustList, cache.status_lists,
      cache.verifier, nonce, requested, seconds());
    show(decision);
  });
  $("ready").textContent = "ready";
}

main().catch((err) => {
  $("ready").textContent = `failed: ${err.message}`;
});
