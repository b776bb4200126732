"""What a client itself reported in one recorded case (captures/clients/record.sh):
exit code, HTTP status, error text; and what the server logged. One JSON object."""
import argparse
import json
import re

parser = argparse.ArgumentParser()
parser.add_argument("--client", required=True)
parser.add_argument("--scenario", required=True)
parser.add_argument("--exit-code", type=int, required=True)
parser.add_argument("--client-log", required=True)
parser.add_argument("--server-log", required=True)
args = parser.parse_args()

client_log = open(args.client_log, errors="replace").read()
server_log = open(args.server_log, errors="replace").read()

status = None
match = re.search(r"^STATUS (\d+)", client_log, re.M) or re.search(r"HTTP/1\.[01] (\d{3})", client_log)
if match and match.group(1) != "000":
    status = int(match.group(1))
body_ok = "hello" in client_log

error = None
for line in client_log.splitlines():
    text = line.strip()
    # Chromium's own noise: its wrapper script, and its logging about D-Bus and the like.
    if text.startswith(("[", "/usr/bin/chromium:")) or "dbus" in text.lower():
        continue
    if re.search(r"^ERROR |error|fail|refus|alert|unable|closed|terminated|exception|unexpected", text, re.I) \
            and not text.startswith(("STATUS", "BODY")):
        error = text[:240]
        break

server_lines = [l.strip() for l in server_log.splitlines()
                if re.search(r"error|alert|fail|verify|CONNECTION|DONE|SSL_do_handshake|Failed", l, re.I)][:12]

print(json.dumps({
    "client": args.client,
    "scenario": args.scenario,
    "exit_code": args.exit_code,
    "http_status": status,
    "body_received": body_ok,
    "error": error,
    "server_log": server_lines,
}, indent=1))
