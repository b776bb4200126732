"""The client catalogue, derived from the recorded captures (captures/clients).

For every CLIENT/SCENARIO.pcap (with the server's key log beside it, so the
renegotiation's messages are read, not guessed) it runs tlsdump and reads the
first ClientHello's JA4 and raw JA4, whether it offers post_handshake_auth,
and how each scenario ended; the client's own report (SCENARIO.report.json)
gives its HTTP status. The result is written twice, as data:

  captures/clients/catalogue.json                              the data file
  Sources/TLSDumpAnalysis/Clients/ClientCatalogueTable.swift    the same, embedded

    python3 captures/clients/catalogue.py           regenerate both
    python3 captures/clients/catalogue.py --check   exit 1 when either differs from what the captures give
    python3 captures/clients/catalogue.py --matrix  the measured matrix as a Markdown table (README.md)

Needs .build/debug/tlsdump (or TLSDUMP=path).
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TLSDUMP = os.environ.get("TLSDUMP", os.path.join(ROOT, ".build", "debug", "tlsdump"))
DATA = os.path.join(HERE, "catalogue.json")
SWIFT = os.path.join(ROOT, "Sources", "TLSDumpAnalysis", "Clients", "ClientCatalogueTable.swift")

# Display names and library families; versions come from versions.txt (what record.sh found installed).
STACKS = {
    "openssl-s_client": ("openssl s_client", "OpenSSL"),
    "gnutls-cli": ("gnutls-cli", "GnuTLS"),
    "curl": ("curl", "OpenSSL"),
    "wget": ("GNU Wget", "GnuTLS"),
    "python3-urllib": ("Python urllib", "OpenSSL"),
    "node-https": ("Node.js https", "OpenSSL (bundled with Node.js)"),
    "java-urlconnection": ("Java HttpsURLConnection", "JSSE (OpenJDK)"),
    "java-httpclient": ("Java java.net.http.HttpClient", "JSSE (OpenJDK)"),
    "go-default": ("Go net/http (default)", "Go crypto/tls"),
    "go-renegotiate-once": ("Go net/http (RenegotiateOnceAsClient)", "Go crypto/tls"),
    "botan": ("Botan tls_client", "Botan"),
    "chromium": ("Chromium (headless)", "BoringSSL"),
}
SCENARIOS = ["tls12-reneg-noticket", "tls12-reneg", "tls10-reneg", "tls12-certreq-first", "tls13-pha"]


def versions():
    found = {}
    path = os.path.join(HERE, "versions.txt")
    for line in open(path).read().splitlines():
        parts = line.split()
        if len(parts) >= 2:
            found[parts[0]] = parts[1:]
    return found


def library_version(client, words, all_versions):
    """The TLS library with its version, as far as the installed versions tell."""
    family = STACKS[client][1]
    for word in words[1:]:
        if word.startswith("OpenSSL/"):
            return family + " " + word.split("/", 1)[1]
    if family == "GnuTLS" and "gnutls-cli" in all_versions:
        return "GnuTLS " + all_versions["gnutls-cli"][0]
    if family == "OpenSSL" and "openssl-s_client" in all_versions:
        return "OpenSSL " + all_versions["openssl-s_client"][0]
    if family == "JSSE (OpenJDK)":
        return "JSSE (OpenJDK " + words[0] + ")"
    if family == "Go crypto/tls":
        return "Go crypto/tls (" + words[0] + ")"
    if family == "Botan":
        return "Botan " + words[0]
    if family == "BoringSSL":
        return "BoringSSL (Chromium " + words[0] + ")"
    return family


def run(pcap, keys):
    args = [TLSDUMP, "-r", pcap, "--format", "json", "--no-validate"]
    if keys and os.path.getsize(keys) > 0:
        args += ["-k", keys]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def outcome(scenario, events):
    """How the scenario ended, from the decrypted events of its first connection; a
    first connection the client abandoned (closed at the certificate request) and a
    later one that completed with its certificate are its retry pattern."""
    first = first_outcome(scenario, events)
    conns = [e for e in events if e["type"] == "connection"]
    if first in ("abandons", "handshake_abandoned") and any(
            c["client_authenticated"] and all(h["outcome"] == "completed" for h in c["handshakes"]) for c in conns[1:]):
        return first + "_then_retries_with_certificate"
    return first


def first_outcome(scenario, events):
    hello = next((e for e in events if e["type"] == "client_hello" and e["handshake"] == 0), None)
    conn = next((e for e in events if e["type"] == "connection"), None)
    if hello is None or conn is None:
        return "no_connection"
    first = conn["handshakes"][0]
    if first["outcome"] != "completed":
        return "handshake_" + first["outcome"]
    if scenario == "tls12-certreq-first":
        return "sends_certificate" if conn["client_authenticated"] else "sends_no_certificate"
    if scenario == "tls13-pha":
        if conn["version"] != "TLSv1.3":
            return "no_tls13"
        if "post_handshake_auth" not in hello["extensions"]:
            return "pha_not_offered"
        return "pha_answered_with_certificate" if conn["client_authenticated"] else "pha_offered"
    if len(conn["handshakes"]) < 2:
        return "no_renegotiation"
    h = conn["handshakes"][1]
    if h["outcome"] == "completed":
        if (h.get("key_exchange") or {}).get("method") == "resumption":
            return "resumes_session"      # an abbreviated handshake: no certificate asked
        return "completes_with_certificate" if conn["client_authenticated"] else "completes"
    if h.get("failed_after_finished"):
        return "fails_after_finished"
    return {"refused": "refuses", "abandoned": "abandons", "failed": "fails"}.get(h["outcome"], "unknown")


def derive():
    all_versions = versions()
    entries = []
    for client in sorted(STACKS):
        folder = os.path.join(HERE, client)
        if not os.path.isdir(folder):
            continue
        name, _ = STACKS[client]
        words = all_versions.get(client, ["unknown"])
        ja4s, raws, measured = [], [], []
        for scenario in SCENARIOS:
            pcap = os.path.join(folder, scenario + ".pcap")
            if not os.path.exists(pcap):
                continue
            events = run(pcap, os.path.join(folder, scenario + ".keys"))
            report = json.load(open(os.path.join(folder, scenario + ".report.json")))
            hello = next((e for e in events if e["type"] == "client_hello" and e["handshake"] == 0), None)
            if hello and hello.get("ja4") and hello["ja4"] not in ja4s:
                ja4s.append(hello["ja4"])
                raws.append(hello["ja4_r"])
            measured.append({"scenario": scenario, "outcome": outcome(scenario, events),
                             "http_status": report["http_status"], "page_received": report["body_received"],
                             "exit_code": report["exit_code"]})
        entries.append({"id": client, "name": name, "version": words[0],
                        "library": library_version(client, words, all_versions), "library_family": STACKS[client][1],
                        "ja4": ja4s, "ja4_r": raws, "measured": measured})
    return {"source": "captures/clients (record.sh); regenerate with: make client-catalogue", "stacks": entries}


def swift_string(value):
    if value is None:
        return "nil"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def swift(catalogue):
    lines = [
        "// Generated by captures/clients/catalogue.py from the captures in captures/clients;",
        "// do not edit (make client-catalogue regenerates it; ClientCatalogueTests checks it).",
        "",
        "extension ClientCatalogue {",
        "    /// The measured stacks, in id order.",
        "    static let table: [ClientStack] = [",
    ]
    for e in catalogue["stacks"]:
        lines.append("        ClientStack(")
        lines.append(f"            id: {swift_string(e['id'])}, name: {swift_string(e['name'])}, version: {swift_string(e['version'])},")
        lines.append(f"            library: {swift_string(e['library'])}, family: {swift_string(e['library_family'])},")
        lines.append("            ja4: [" + ", ".join(swift_string(j) for j in e["ja4"]) + "],")
        lines.append("            ja4Raw: [" + ", ".join(swift_string(j) for j in e["ja4_r"]) + "],")
        lines.append("            measured: [")
        for m in e["measured"]:
            status = "nil" if m["http_status"] is None else str(m["http_status"])
            lines.append(f"                ClientStack.Measurement(scenario: {swift_string(m['scenario'])}, outcome: {swift_string(m['outcome'])}, "
                         f"httpStatus: {status}, exitCode: {m['exit_code']}),")
        lines.append("            ]),")
    lines += ["    ]", "}", ""]
    return "\n".join(lines)


def matrix(catalogue):
    """The measured matrix as a Markdown table (README.md shows it)."""
    head = "| client | version | library | " + " | ".join(SCENARIOS) + " |"
    rows = [head, "|" + "---|" * (3 + len(SCENARIOS))]
    for e in catalogue["stacks"]:
        by = {m["scenario"]: m for m in e["measured"]}
        cells = []
        for scenario in SCENARIOS:
            m = by.get(scenario)
            page = f"HTTP {m['http_status']}" if m and m["http_status"] else ("page received" if m and m.get("page_received") else "no page")
            cells.append("" if m is None else m["outcome"].replace("_", " ") + f" ({page})")
        rows.append(f"| {e['name']} | {e['version']} | {e['library']} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main():
    if "--matrix" in sys.argv:
        print(matrix(json.load(open(DATA))))
        return
    catalogue = derive()
    data = json.dumps(catalogue, indent=1) + "\n"
    code = swift(catalogue)
    if "--check" in sys.argv:
        ok = True
        for path, want in ((DATA, data), (SWIFT, code)):
            have = open(path).read() if os.path.exists(path) else ""
            if have != want:
                print(f"catalogue.py: {os.path.relpath(path, ROOT)} differs from what the captures give; run make client-catalogue", file=sys.stderr)
                ok = False
        sys.exit(0 if ok else 1)
    os.makedirs(os.path.dirname(SWIFT), exist_ok=True)
    open(DATA, "w").write(data)
    open(SWIFT, "w").write(code)
    print(f"{len(catalogue['stacks'])} stacks -> {os.path.relpath(DATA, ROOT)}, {os.path.relpath(SWIFT, ROOT)}")


if __name__ == "__main__":
    main()
