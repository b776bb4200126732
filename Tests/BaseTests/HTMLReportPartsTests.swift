import XCTest
import TLSDumpBase
import TLSDumpFlow
@testable import TLSDumpAnalysis
@testable import TLSDumpOutput

/// The HTML report's parts on their own: escaping, the bar chart, the ladder
/// recorder and drawing, the selection of shown connections, the tee.
final class HTMLReportPartsTests: XCTestCase {
    // MARK: escaping

    func testEscapingMakesMarkupText() {
        XCTAssertEqual("<script>alert(1)</script>".htmlEscaped, "&lt;script&gt;alert(1)&lt;/script&gt;")
        XCTAssertEqual("a\"b'c&d".htmlEscaped, "a&quot;b&#39;c&amp;d")
        XCTAssertEqual("x\" onmouseover=\"alert(1)".htmlEscaped, "x&quot; onmouseover=&quot;alert(1)")
        XCTAssertEqual("server.test".htmlEscaped, "server.test")
        XCTAssertEqual("tab\tline\n".htmlEscaped, "tab\tline\n")
        XCTAssertEqual("nul\u{0}esc\u{1b}c1\u{85}del\u{7f}".htmlEscaped, "nul\u{FFFD}esc\u{FFFD}c1\u{FFFD}del\u{FFFD}")
        XCTAssertEqual("Grüße, 日本".htmlEscaped, "Grüße, 日本")
    }

    // MARK: bar chart

    func testBarChartScalesEscapesAndSumsTheRest() {
        var counts: [String: Int] = ["<b>big</b>": 40, "small": 10]
        for i in 0..<20 { counts["suite\(i)"] = 1 }
        let chart = BarChart(title: "Connections by <cipher>", counts: counts)
        XCTAssertEqual(chart.bars.count, BarChart.maxRows + 1)
        XCTAssertEqual(chart.bars.first?.label, "<b>big</b>")
        XCTAssertEqual(chart.bars.last?.label, "other (10)")
        XCTAssertEqual(chart.bars.last?.count, 10)
        let svg = chart.svg
        XCTAssertFalse(svg.contains("<b>"))
        XCTAssertTrue(svg.contains("&lt;b&gt;big&lt;/b&gt;"))
        XCTAssertTrue(svg.contains("aria-label=\"Connections by &lt;cipher&gt;\""))
        // The largest bar takes the whole room, the others in proportion.
        XCTAssertTrue(svg.contains("width=\"\(BarChart.barRoom)\""))
        XCTAssertTrue(svg.contains("width=\"\(BarChart.barRoom / 4)\""))
        XCTAssertEqual(svg.components(separatedBy: "<rect").count - 1, chart.bars.count)
    }

    func testEmptyChartSaysNone() {
        XCTAssertTrue(BarChart(title: "Findings by id", counts: [:]).svg.contains(">none</text>"))
    }

    // MARK: ladder

    private func entry(_ sender: Side, _ type: UInt8, _ length: Int, _ detail: String, quic: String? = nil) -> TraceEntry {
        TraceEntry(sender: sender, recordVersion: 0x0301, contentType: type, length: length, detail: detail,
                   payload: nil, recordLength: nil, quicPacket: quic)
    }

    private func arrows(_ steps: [LadderStep]) -> [LadderArrow] {
        steps.compactMap { if case .arrow(let a) = $0 { return a } else { return nil } }
    }

    func testTraceDetailsBecomeArrows() {
        let t = Timestamp(nanoseconds: 0)
        let hello = LadderRecorder.arrow(for: entry(.client, 22, 81, "ClientHello"), at: t)
        XCTAssertEqual(hello.name, "ClientHello")
        XCTAssertEqual(hello.protection, .clear)
        XCTAssertFalse(hello.inferred)
        let finished = LadderRecorder.arrow(for: entry(.server, 22, 52, "encrypted (Finished?)"), at: t)
        XCTAssertEqual(finished.name, "Finished")
        XCTAssertEqual(finished.protection, .encrypted)
        XCTAssertTrue(finished.inferred)
        let decrypted = LadderRecorder.arrow(for: entry(.server, 22, 4, "decrypted, HelloRequest"), at: t)
        XCTAssertEqual(decrypted.name, "HelloRequest")
        XCTAssertEqual(decrypted.protection, .decrypted)
        let hidden = LadderRecorder.arrow(for: entry(.server, 22, 116, "encrypted"), at: t)
        XCTAssertEqual(hidden.name, "encrypted handshake")
        let data = LadderRecorder.arrow(for: entry(.client, 23, 36, ""), at: t)
        XCTAssertTrue(data.isApplicationData)
        XCTAssertEqual(data.protection, .encrypted, "application data is never in clear")
        let alert = LadderRecorder.arrow(for: entry(.client, 21, 2, "fatal handshake_failure"), at: t)
        XCTAssertTrue(alert.isAlert)
        XCTAssertEqual(alert.name, "Alert fatal handshake_failure")
        let quic = LadderRecorder.arrow(for: entry(.client, 22, 300, "ClientHello", quic: "Initial[0] CRYPTO"), at: t)
        XCTAssertEqual(quic.name, "Initial[0] CRYPTO: ClientHello")
        XCTAssertEqual(quic.protection, .decrypted)
    }

    func testRecorderCollapsesApplicationDataAndOpensARenegotiation() {
        var ladder = LadderRecorder(maxSteps: 100)
        var ns: Int64 = 0
        func add(_ e: TraceEntry) { ns += 1_000_000; ladder.record(e, at: Timestamp(nanoseconds: ns)) }
        add(entry(.client, 22, 81, "ClientHello"))
        add(entry(.server, 22, 57, "ServerHello"))
        add(entry(.client, 22, 52, "encrypted (Finished?)"))
        add(entry(.server, 22, 52, "encrypted (Finished?)"))
        for _ in 0..<12 { add(entry(.client, 23, 4096, "")) }
        add(entry(.server, 23, 100, ""))
        add(entry(.server, 22, 36, "encrypted (HelloRequest?)"))
        add(entry(.client, 22, 132, "encrypted (ClientHello?)"))
        let steps = ladder.steps
        let names = arrows(steps).map(\.name)
        XCTAssertEqual(names, ["ClientHello", "ServerHello", "Finished", "Finished", "ApplicationData", "ApplicationData",
                               "HelloRequest", "ClientHello"])
        let run = arrows(steps)[4]
        XCTAssertEqual(run.records, 12)
        XCTAssertEqual(run.bytes, 12 * 4096)
        // One boundary, just before the HelloRequest; the ClientHello after it stays in that handshake.
        let boundaries = steps.indices.filter { if case .boundary = steps[$0] { return true } else { return false } }
        XCTAssertEqual(boundaries.count, 1)
        if case .arrow(let next)? = boundaries.first.map({ steps[$0 + 1] }) { XCTAssertEqual(next.name, "HelloRequest") } else { XCTFail() }
    }

    func testRecorderCountsWhatDoesNotFit() {
        var ladder = LadderRecorder(maxSteps: 3)
        for i in 0..<10 {
            ladder.record(entry(i % 2 == 0 ? .client : .server, 22, 10, "Certificate"), at: Timestamp(nanoseconds: Int64(i)))
        }
        XCTAssertEqual(ladder.steps.count, 3)
        XCTAssertEqual(ladder.omittedRecords, 7)
    }

    func testLadderDrawsStylesAndEscapesLabels() {
        let start = Timestamp(nanoseconds: 0)
        let flow = FlowIdentity(flowID: "C7", communityID: "1:x", client: Endpoint(ip: IPAddress(ipv4: 0x7f00_0001), port: 1234),
                                server: Endpoint(ip: IPAddress(ipv4: 0x7f00_0001), port: 443))
        func arrow(_ name: String, _ sender: Side, _ protection: RecordProtection, inferred: Bool = false, alert: Bool = false) -> LadderRow {
            .arrow(LadderArrow(sender: sender, at: Timestamp(nanoseconds: 66_056_000), name: name, protection: protection,
                               inferred: inferred, isAlert: alert, isApplicationData: false, records: 1, bytes: 36))
        }
        let svg = LadderDiagram.svg(rows: [
            .section("handshake 0: <initial>"),
            arrow("<script>x</script>", .client, .clear),
            arrow("HelloRequest", .server, .encrypted, inferred: true),
            arrow("Alert fatal", .client, .decrypted, alert: true),
            .gap(sender: .server, bytes: 1200, at: start),
            .more(5),
        ], flow: flow, start: start)
        XCTAssertFalse(svg.contains("<script>"))
        XCTAssertTrue(svg.contains("&lt;script&gt;x&lt;/script&gt;"))
        XCTAssertTrue(svg.contains("handshake 0: &lt;initial&gt;"))
        XCTAssertTrue(svg.contains("<g class=\"msg c\">"))
        XCTAssertTrue(svg.contains("<g class=\"msg e i\">"))
        XCTAssertTrue(svg.contains("<g class=\"msg d a\">"))
        XCTAssertTrue(svg.contains(">HelloRequest?<"))
        XCTAssertTrue(svg.contains("+66.056 ms"))
        XCTAssertTrue(svg.contains("gap: 1200 bytes from the server missing from the capture"))
        XCTAssertTrue(svg.contains("… 5 more records not drawn"))
        // A client arrow points right (its head at the server), a server arrow left.
        XCTAssertTrue(svg.contains("<polygon points=\"\(LadderDiagram.serverX),"))
        XCTAssertTrue(svg.contains("<polygon points=\"\(LadderDiagram.clientX),"))
        XCTAssertEqual(svg.components(separatedBy: "<g class=\"msg").count - 1, 3)
    }

    // MARK: selection

    private func shown(_ id: String) -> ReportedConnection {
        ReportedConnection(flowID: id, worst: nil, tableRow: "", section: "")
    }

    func testSelectionKeepsTheWorstThenTheFirst() {
        var selection = ReportSelection(capacity: 3)
        let arrivals: [(String, Int)] = [("C1", 2), ("C2", 1), ("C3", 2), ("C4", 1), ("C5", 4), ("C6", 2), ("C7", 3)]
        for (serial, (id, worst)) in arrivals.enumerated() {
            let rank = ReportSelection.Rank(worst: worst, serial: serial)
            if selection.admits(rank) { selection.insert(shown(id), rank: rank) } else { selection.skip() }
        }
        XCTAssertEqual(selection.entries.map(\.connection.flowID), ["C5", "C7", "C1"])
        XCTAssertEqual(selection.leftOut, arrivals.count - 3)
    }

    // MARK: tee

    private final class Recording: EventSink {
        let wantsTrace: Bool
        let wantedEvents: EventKinds
        var kinds: [EventKinds] = []
        init(trace: Bool, wanted: EventKinds) { wantsTrace = trace; wantedEvents = wanted }
        func emit(_ event: Event) { kinds.append(event.body.kind) }
    }

    func testTeeGivesEachSinkItsKinds() {
        let writer = Recording(trace: false, wanted: [.connection, .finding, .stats])
        let report = Recording(trace: true, wanted: [.trace, .finding, .serverHello])
        let tee = TeeEventSink(primary: writer, secondary: report)
        XCTAssertTrue(tee.wantsTrace)
        XCTAssertEqual(tee.wantedEvents, [.connection, .finding, .stats, .trace, .serverHello])
        let flow = FlowIdentity(flowID: "C1", communityID: "1:x", client: Endpoint(ip: IPAddress(ipv4: 1), port: 1),
                                server: Endpoint(ip: IPAddress(ipv4: 2), port: 443))
        tee.emit(Event(timestamp: .zero, flow: flow, body: .trace(entry(.client, 22, 81, "ClientHello"))))
        tee.emit(Event(timestamp: .zero, flow: flow, body: .finding(Finding(id: .certSelfSigned, message: "m", handshake: 0))))
        XCTAssertEqual(writer.kinds, [.finding], "no trace entries for a writer that did not ask")
        XCTAssertEqual(report.kinds, [.trace, .finding])
    }
}
