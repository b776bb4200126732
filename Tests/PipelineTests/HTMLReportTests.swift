import Foundation
import TLSDumpAnalysis
import TLSDumpOutput
import TLSDumpPipeline
import XCTest

/// `--report FILE.html`: the page of real captures, opened in headless
/// Chromium (Debian's `chromium`, installed by `make test-deps`): it loads
/// without console errors, draws one ladder per shown connection with the
/// messages in capture order, and shows names from the capture as text.
final class HTMLReportTests: XCTestCase {
    /// Each test runs on its own instance, so each has its own directory.
    private let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-report-\(UUID().uuidString)")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    // MARK: the IIS story

    func testIISReportLoadsInChromiumWithTheRenegotiationLadder() throws {
        let report = try makeReport(["-r", Paths.bundledCaptures.appendingPathComponent("iis-renegotiation-tls10.pcap").path])
        let page = try String(contentsOf: report, encoding: .utf8)
        assertSelfContained(page)
        let dom = try loadInChromium(report)
        let ladders = ladderTexts(dom)
        XCTAssertEqual(ladders.count, 1, "one connection with findings, one ladder")
        let texts = ladders.first ?? []
        // The IIS pattern: a plain handshake, application data, then the server's
        // HelloRequest opens handshake 1, in which the certificate is requested.
        assertInOrder(texts, ["handshake 0: initial", "ClientHello", "ServerHello", "Certificate", "ServerHelloDone",
                              "ClientKeyExchange", "ApplicationData", "handshake 1: renegotiation started by the server",
                              "HelloRequest", "ClientHello", "CertificateRequest", "Finished", "Alert"])
        // Nothing was decrypted: the renegotiation's messages are inferred and drawn so.
        XCTAssertTrue(texts.contains("HelloRequest?"), "\(texts)")
        XCTAssertTrue(texts.contains("CertificateRequest?"), "\(texts)")
        XCTAssertTrue(dom.contains("<g class=\"msg e i\">"), "inferred messages of an encrypted handshake")
        XCTAssertTrue(dom.contains("<g class=\"msg c\">"), "the first handshake in clear")
        XCTAssertTrue(dom.contains("client_auth.via_renegotiation"))
        XCTAssertTrue(dom.contains("Remedy: " + FindingID.clientAuthViaRenegotiation.remedy.replacingOccurrences(of: "&", with: "&amp;")))
        XCTAssertTrue(dom.contains("This is the IIS pattern"), "the text view's story")
        XCTAssertTrue(dom.contains("<a href=\"#C1\">C1</a>"), "the flagged table links to the connection")
        XCTAssertTrue(dom.contains("<article class=\"connection\" id=\"C1\">"))
        XCTAssertFalse(dom.contains("<span class=\"cap-note\">"), "nothing left out")

        let screenshot = scratch.appendingPathComponent("iis.png")
        let shot = try chromium(["--screenshot=\(screenshot.path)", "--window-size=1200,2000", report.absoluteString])
        XCTAssertEqual(shot.status, 0, String(decoding: shot.stderr, as: UTF8.self))
        let png = try Data(contentsOf: screenshot)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG")
        XCTAssertGreaterThan(png.count, 20_000, "a rendered page, not a blank one")
    }

    func testDecryptedIISReportDrawsTheCertificateRequestAsRead() throws {
        let capture = Paths.bundledCaptures.appendingPathComponent("iis-renegotiation-rc4-md5.pcap")
        let keys = Paths.bundledCaptures.appendingPathComponent("iis-renegotiation-rc4-md5.keys")
        let report = try makeReport(["-r", capture.path, "-k", keys.path])
        let dom = try loadInChromium(report)
        let ladders = ladderTexts(dom)
        XCTAssertEqual(ladders.count, 1)
        let texts = ladders.first ?? []
        assertInOrder(texts, ["ClientHello", "ServerHello", "Certificate", "ServerHelloDone", "ClientKeyExchange", "Finished",
                              "ApplicationData", "handshake 1: renegotiation started by the server, decrypted",
                              "HelloRequest", "ClientHello", "ServerHello", "Certificate", "CertificateRequest",
                              "ServerHelloDone", "Certificate", "ClientKeyExchange", "CertificateVerify", "Finished",
                              "ApplicationData", "Alert warning close_notify"])
        XCTAssertFalse(texts.contains { $0.hasSuffix("?") }, "decrypted: nothing inferred \(texts)")
        XCTAssertTrue(dom.contains("<g class=\"msg d\">"), "decrypted records drawn as such")
        XCTAssertTrue(dom.contains("<g class=\"msg d a\">"), "the decrypted close_notify alerts in red")
        XCTAssertTrue(dom.contains("weak_cipher.rc4"))
    }

    // MARK: escaping

    func testMarkupFromTheCaptureShowsAsText() throws {
        let report = try makeReport(["-r", Paths.bundledCaptures.appendingPathComponent("html-injection-tls12.pcap").path])
        let page = try String(contentsOf: report, encoding: .utf8)
        assertSelfContained(page)
        let dom = try loadInChromium(report)
        XCTAssertEqual(ladderTexts(dom).count, 1)
        // The SNI, the ALPN and the certificate subject are there, as text.
        XCTAssertTrue(dom.contains("&lt;script&gt;alert(2)&lt;/script&gt;"), "the SNI as text")
        XCTAssertTrue(dom.contains("&lt;img src=x onerror=alert(3)&gt;"), "the ALPN as text")
        XCTAssertTrue(dom.contains("alert(1)"), "the certificate subject")
        XCTAssertTrue(dom.contains("&lt;script\\&gt;alert(1)"), "the subject's markup as text")
        // No element came from them: the page itself has no script or image at all.
        XCTAssertFalse(dom.lowercased().contains("<script"), "a script element in the DOM")
        XCTAssertFalse(dom.lowercased().contains("<img"), "an image element in the DOM")
        XCTAssertFalse(dom.contains("onerror=\"") || dom.contains("onerror=alert(3)>"), "an event handler attribute")
    }

    // MARK: the cap

    func testCapNoteSaysHowManyWereLeftOutAndKeepsTheWorst() throws {
        let capture = Paths.sharedCaptures.appendingPathComponent("ja4/tls3.pcapng")
        let all = try analyse(capture).connections
        XCTAssertGreaterThan(all.count, 5)
        let cap = 5
        let writer = HTMLReportWriter(scope: .allConnections, source: capture.path, maxConnections: cap)
        _ = try Pipeline.run(PipelineOptions(input: capture.path), sink: writer)
        let url = scratch.appendingPathComponent("capped.html")
        let output = try XCTUnwrap(TLSDumpOutput.OutputStream.file(path: url.path))
        writer.write(to: output)
        let page = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(ladderTexts(page).count, cap)
        XCTAssertTrue(page.contains("\(cap) of \(all.count) connections"), "how many were shown of how many")
        XCTAssertTrue(page.contains("<span class=\"cap-note\">\(all.count - cap) connections were left out: the report shows at most \(cap).</span>"))
        // The charts still count every connection.
        XCTAssertTrue(page.contains(": \(all.count) TLS connections"), "totals over the whole run")
        // The worst come first: the shown connections' worst severities never rise,
        // and no left-out connection has a worse finding than the mildest shown.
        let shownRanks = shownSeverities(page)
        XCTAssertEqual(shownRanks.count, cap)
        XCTAssertEqual(shownRanks, shownRanks.sorted(by: >))
        let everyRank = all.map { c in c.summary.findingIDs.map { $0.severity.rawValue + 1 }.max() ?? 0 }.sorted(by: >)
        XCTAssertEqual(shownRanks, Array(everyRank.prefix(cap)))

        // Under the cap: no note.
        let uncapped = try makeReport(["-r", capture.path, "--report-all"])
        let full = try String(contentsOf: uncapped, encoding: .utf8)
        XCTAssertEqual(ladderTexts(full).count, all.count)
        XCTAssertFalse(full.contains("<span class=\"cap-note\">"))
    }

    // MARK: beside the other formats, threaded, QUIC

    func testShardedRunGivesTheSameReportAndLeavesTheJSONAlone() throws {
        let capture = Paths.sharedCaptures.appendingPathComponent("ja4/tls3.pcapng").path
        let plain = try runTLSDump(["-r", capture, "--format", "json", "--threads", "2"])
        XCTAssertEqual(plain.status, 0)
        var pages: [String] = []
        for threads in ["1", "2"] {
            let url = scratch.appendingPathComponent("threads\(threads).html")
            let run = try runTLSDump(["-r", capture, "--format", "json", "--threads", threads, "--report", url.path, "--report-all"])
            XCTAssertEqual(run.status, 0, String(decoding: run.stderr, as: UTF8.self))
            // Shards interleave their connections freely: compare the lines as a multiset.
            if threads == "2" { XCTAssertEqual(lines(run.stdout), lines(plain.stdout), "the report changes nothing in the JSON events") }
            XCTAssertFalse(String(decoding: run.stdout, as: UTF8.self).contains("\"type\":\"trace\""))
            pages.append(try String(contentsOf: url, encoding: .utf8))
        }
        let one = ladderTexts(pages[0]), two = ladderTexts(pages[1])
        XCTAssertGreaterThan(one.count, 10)
        // Flow ids follow the shard, so compare the ladders as a multiset.
        XCTAssertEqual(one.map { $0.joined(separator: "|") }.sorted(), two.map { $0.joined(separator: "|") }.sorted())
    }

    func testQUICCaptureReport() throws {
        let capture = Paths.sharedCaptures.appendingPathComponent("quic/chrome-cloudflare-quic-with-secrets.pcapng")
        let report = try makeReport(["-r", capture.path, "--report-all"])
        let dom = try loadInChromium(report)
        let ladders = ladderTexts(dom)
        XCTAssertEqual(ladders.count, 2, "a TCP and a QUIC connection")
        XCTAssertTrue(ladders.contains { texts in texts.contains { $0.hasPrefix("Initial[") && $0.hasSuffix("ClientHello") } },
                      "\(ladders)")
        XCTAssertTrue(dom.contains("TLS 1.3 x25519"), "the key exchange chart names the TLS 1.3 group")
    }

    /// The console check of `loadInChromium` can fail: a page that logs an error is caught.
    func testChromiumConsoleErrorsAreSeen() throws {
        let probe = scratch.appendingPathComponent("probe.html")
        try Data("<!DOCTYPE html><html><body><script>console.error('probe-error')</script></body></html>".utf8).write(to: probe)
        let run = try chromium(["--dump-dom", probe.absoluteString])
        XCTAssertEqual(consoleLines(run.stderr).count, 1, String(decoding: run.stderr, as: UTF8.self))
    }

    func testUsage() throws {
        let run = try runTLSDump(["-r", Paths.bundledCaptures.appendingPathComponent("tls13.pcap").path, "--report-all"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(String(decoding: run.stderr, as: UTF8.self).contains("--report-all needs --report FILE"))
        let unwritable = try runTLSDump(["-r", Paths.bundledCaptures.appendingPathComponent("tls13.pcap").path,
                                         "--report", "/nonexistent-dir/report.html"])
        XCTAssertEqual(unwritable.status, 2)
        XCTAssertTrue(String(decoding: unwritable.stderr, as: UTF8.self).contains("cannot write /nonexistent-dir/report.html"))
    }

    // MARK: helpers

    /// Runs tlsdump with `--report` into the scratch directory; the text output still goes to stdout.
    private func makeReport(_ arguments: [String]) throws -> URL {
        let url = scratch.appendingPathComponent("report-\(UUID().uuidString).html")
        let run = try runTLSDump(arguments + ["--report", url.path])
        XCTAssertEqual(run.status, 0, String(decoding: run.stderr, as: UTF8.self))
        XCTAssertTrue(String(decoding: run.stdout, as: UTF8.self).contains("Summary:"), "the text view as usual")
        return url
    }

    private func chromium(_ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: Data) {
        guard let binary = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: FileManager.default.isExecutableFile) else {
            XCTFail("chromium is not installed (make test-deps installs it)")
            throw CocoaError(.fileNoSuchFile)
        }
        let profile = scratch.appendingPathComponent("profile").path
        return try runProcess(URL(fileURLWithPath: binary),
                              ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                               "--user-data-dir=\(profile)"] + arguments)
    }

    /// The page's DOM as Chromium built it; fails on console messages.
    private func loadInChromium(_ page: URL) throws -> String {
        let run = try chromium(["--dump-dom", page.absoluteString])
        XCTAssertEqual(run.status, 0, String(decoding: run.stderr, as: UTF8.self))
        XCTAssertEqual(consoleLines(run.stderr), [], "console messages while loading the report")
        let dom = String(decoding: run.stdout, as: UTF8.self)
        XCTAssertTrue(dom.hasSuffix("</html>\n") || dom.hasSuffix("</html>"), "the whole page was parsed")
        return dom
    }

    /// The output's lines, sorted, without the run's duration (it varies) and the
    /// count of events made (the report's trace entries are made too, README "HTML report").
    private func lines(_ data: Data) -> [String] {
        let seconds = try? NSRegularExpression(pattern: "\"(seconds|events)\":[0-9.]+")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            let text = String(line)
            return seconds?.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "") ?? text
        }.sorted()
    }

    private func consoleLines(_ stderr: Data) -> [String] {
        String(decoding: stderr, as: UTF8.self).split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") }
    }

    /// Nothing is fetched: no scripts, stylesheets, fonts or images from anywhere, no links off the page.
    private func assertSelfContained(_ page: String, file: StaticString = #filePath, line: UInt = #line) {
        let lower = page.lowercased()
        for forbidden in ["<script", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url(", " src=\"", " src='"] {
            XCTAssertFalse(lower.contains(forbidden), "the page contains \(forbidden)", file: file, line: line)
        }
        let hrefs = matches(of: "href=\"([^\"]*)\"", in: page)
        XCTAssertFalse(hrefs.isEmpty, file: file, line: line)
        XCTAssertTrue(hrefs.allSatisfy { $0.hasPrefix("#") }, "links only within the page: \(hrefs)", file: file, line: line)
        let external = matches(of: "(https?://[^\"' <]*)", in: page).filter { $0 != "http://www.w3.org/2000/svg" }
        XCTAssertEqual(external, [], file: file, line: line)
    }

    /// Per ladder, its section bands and arrow labels in drawing order.
    private func ladderTexts(_ html: String) -> [[String]] {
        html.components(separatedBy: "<svg class=\"ladder\"").dropFirst().map { chunk in
            let svg = chunk.components(separatedBy: "</svg>").first ?? ""
            return matches(of: "<text class=\"(?:band|label)\"[^>]*>([^<]*)", in: svg).map(unescape)
        }
    }

    /// The worst severity (rank: severity + 1) of each shown connection, in page order.
    private func shownSeverities(_ html: String) -> [Int] {
        html.components(separatedBy: "<article class=\"connection\"").dropFirst().map { chunk in
            let header = chunk.components(separatedBy: "</h3>").first ?? ""
            let name = matches(of: "<span class=\"badge ([a-z]+)\">", in: header).first
            return name.flatMap(Severity.init(name:)).map { $0.rawValue + 1 } ?? 0
        }
    }

    private func assertInOrder(_ texts: [String], _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
        var index = texts.startIndex
        for wanted in expected {
            guard let found = texts[index...].firstIndex(where: { $0.hasPrefix(wanted) }) else {
                XCTFail("\(wanted) not found in order in \(texts)", file: file, line: line)
                return
            }
            index = texts.index(after: found)
        }
    }

    private func matches(of pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    private func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
