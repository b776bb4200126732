// A Go net/http client for captures/clients/record.sh: GET URL with a client
// certificate, renegotiation policy from -reneg (never: Go's default; once:
// tls.RenegotiateOnceAsClient). Prints "STATUS n" or "ERROR text"; exit 0/1.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
)

func main() {
	reneg := flag.String("reneg", "never", "never or once")
	cert := flag.String("cert", "", "client certificate (PEM)")
	key := flag.String("key", "", "client key (PEM)")
	ca := flag.String("ca", "", "CA (PEM)")
	flag.Parse()
	pool := x509.NewCertPool()
	pem, err := os.ReadFile(*ca)
	if err != nil || !pool.AppendCertsFromPEM(pem) {
		fmt.Println("ERROR cannot read CA")
		os.Exit(2)
	}
	config := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10}
	if *reneg == "once" {
		config.Renegotiation = tls.RenegotiateOnceAsClient
	}
	if pair, err := tls.LoadX509KeyPair(*cert, *key); err == nil {
		config.Certificates = []tls.Certificate{pair}
	}
	if path := os.Getenv("SSLKEYLOGFILE"); path != "" {
		if f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
			config.KeyLogWriter = f
		}
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: config}}
	resp, err := client.Get(flag.Arg(0))
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	fmt.Println("STATUS", resp.StatusCode)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Printf("BODY %q\n", string(body))
}
