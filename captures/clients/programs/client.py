"""A Python urllib client for captures/clients/record.sh: GET URL with a
client certificate. Prints "STATUS n" or "ERROR text"; exit 0/1."""
import ssl
import sys
import urllib.request

url, ca, cert, key = sys.argv[1:5]
context = ssl.create_default_context(cafile=ca)
context.load_cert_chain(cert, key)
try:
    with urllib.request.urlopen(url, context=context, timeout=8) as response:
        body = response.read()
        print("STATUS", response.status)
        print("BODY", body.decode(errors="replace").strip())
except Exception as error:  # the report records whatever the client said
    print("ERROR", repr(error))
    sys.exit(1)
